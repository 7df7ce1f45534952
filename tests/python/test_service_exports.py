"""Exports of virtual devices in `devbridge serve`: pyserial over RFC 2217 and a raw TCP client
(as QEMU's -chardev socket is), both on 127.0.0.1, with counters in the API and metrics."""
import json
import socket
import time

import serial

from test_device_port import assert_same_smoker_stream, read_all_three
from test_service_support import free_port, serve  # noqa: F401  (fixture)


def test_rfc2217_and_raw_exports_of_a_virtual_smoker(serve, tmp_path):
    rfc, raw = free_port(), free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n    reset_on_open: false\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n      - {{mode: raw, listen: '127.0.0.1:{raw}'}}\n"
    )
    assert f"rfc2217: 127.0.0.1:{rfc} — running" in service.text()
    assert f"raw: 127.0.0.1:{raw} — running" in service.text()

    port = serial.serial_for_url(f"rfc2217://127.0.0.1:{rfc}", baudrate=9600, timeout=5)
    try:
        port.readline()  # may start mid-line
        lines = [port.readline() for _ in range(3)]
    finally:
        port.close()
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"Meat", "Meat2", "Meat3", "Chamber"}

    with socket.create_connection(("127.0.0.1", raw), timeout=5) as client:
        data = b""
        deadline = time.time() + 10
        while data.count(b"\n") < 3 and time.time() < deadline:
            data += client.recv(4096)
        assert data.count(b"\n") >= 3
        _, exports = service.get("/control/exports", expect=200)
        by_mode = {e["mode"]: e for e in exports["exports"]}
        assert by_mode["raw"]["counters"]["clients"] == 1
        assert by_mode["raw"]["port"] == raw
        assert by_mode["rfc2217"]["counters"]["clientsAccepted"] == 1
        _, metrics = service.get("/metrics", expect=200)
        assert 'devbridge_endpoint_clients{endpoint="smoker/raw",kind="tcp"} 1' in metrics
        out = [l for l in metrics.splitlines() if l.startswith('devbridge_endpoint_bytes_out_total{endpoint="smoker/rfc2217"')]
        assert out and float(out[0].split()[-1]) > 0
    assert service.stop() == 0


def test_two_exports_of_one_device_each_get_every_line(serve, tmp_path):
    """Each export is its own endpoint of the device's port: lines are not split between them."""
    rfc, raw = free_port(), free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n    reset_on_open: false\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n      - {{mode: raw, listen: '127.0.0.1:{raw}'}}\n"
    )
    port = serial.serial_for_url(f"rfc2217://127.0.0.1:{rfc}", baudrate=9600, timeout=0.05)
    client = socket.create_connection(("127.0.0.1", raw), timeout=5)
    client.settimeout(0.05)
    a, b = b"", b""
    try:
        deadline = time.time() + 20
        while (a.count(b"\n") < 12 or b.count(b"\n") < 12) and time.time() < deadline:
            a += port.read(4096)
            try:
                b += client.recv(4096)
            except socket.timeout:
                pass
    finally:
        port.close()
        client.close()
    lines_a = a.split(b"\r\n")[1:-1]
    lines_b = b.split(b"\r\n")[1:-1]
    assert len(lines_a) >= 10 and len(lines_b) >= 10
    common = set(lines_a) & set(lines_b)
    # The same stream: once both are connected, consecutive lines match one for one.
    assert len(common) >= 8, (lines_a, lines_b)
    service.stop()
    assert "Assertion failed" not in service.text()


def test_the_pty_link_and_both_exports_each_get_every_line(serve, tmp_path):
    """An app on the device's link and the two exports read at once, and none of them loses lines
    to another (issue 15: the first export used to read the link's PTY, splitting its bytes)."""
    rfc, raw = free_port(), free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n    reset_on_open: false\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n      - {{mode: raw, listen: '127.0.0.1:{raw}'}}\n"
    )
    lines = read_all_three(tmp_path / "smoker", rfc, raw, lines_wanted=14, timeout=30)
    # The same stream everywhere: once all three read, their lines match one for one.
    assert_same_smoker_stream(lines, 12)
    assert service.stop() == 0


def test_a_wrong_baud_garbles_only_that_exports_output(serve, tmp_path):
    """Each export has its own line settings: an RFC 2217 client at 19200 reads garbage from a
    9600 device, as from a real UART, while the raw export's lines stay clean."""
    rfc, raw = free_port(), free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n    reset_on_open: false\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n      - {{mode: raw, listen: '127.0.0.1:{raw}'}}\n"
    )
    port = serial.serial_for_url(f"rfc2217://127.0.0.1:{rfc}", baudrate=19200, timeout=0.05)
    client = socket.create_connection(("127.0.0.1", raw), timeout=5)
    client.settimeout(0.05)
    garbled, clean = b"", b""
    try:
        deadline = time.time() + 20
        while (len(garbled) < 2000 or clean.count(b"\n") < 8) and time.time() < deadline:
            garbled += port.read(4096)
            try:
                clean += client.recv(4096)
            except socket.timeout:
                pass
    finally:
        port.close()
        client.close()
    clean_lines = clean.split(b"\r\n")[1:-1]
    assert len(clean_lines) >= 6 and all(json.loads(line) for line in clean_lines)
    assert len(garbled) >= 500, garbled
    assert b'"Chamber"' not in garbled, garbled[:300]
    assert service.stop() == 0


def test_banner_shows_the_bound_port_of_an_export_on_port_0(serve, tmp_path):
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n"
        "    exports:\n      - {mode: raw, listen: '127.0.0.1:0'}\n"
    )
    _, exports = service.get("/control/exports", expect=200)
    port = exports["exports"][0]["port"]
    assert port and port != 0
    assert f"raw: 127.0.0.1:{port} — running" in service.text()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.settimeout(10)
        assert client.recv(4096)
    assert service.stop() == 0
