"""The device port (issue 15): one PTY per device in `devbridge serve`, every endpoint (the PTY
link, an RFC 2217 export, a raw export) gets every line at once, for embedded and for
process-isolated devices; RFC 2217 DTR and modem lines reach and follow the device."""
import json
import os
import signal
import socket
import subprocess
import time

import serial

from test_service_support import free_port, serve  # noqa: F401  (fixture)


def ptmx_count(pid):
    """The /dev/ptmx descriptors (PTY masters) process `pid` holds."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/ptmx"
        except OSError:
            pass
    return count


def read_all_three(link, rfc, raw, lines_wanted, timeout):
    """Reads the link, an RFC 2217 client and a raw client at once until each has `lines_wanted` lines."""
    app = serial.Serial(str(link), 9600, timeout=0.05)
    port = serial.serial_for_url(f"rfc2217://127.0.0.1:{rfc}", baudrate=9600, timeout=0.05)
    client = socket.create_connection(("127.0.0.1", raw), timeout=5)
    client.settimeout(0.05)
    got = {"app": b"", "rfc2217": b"", "raw": b""}
    try:
        deadline = time.time() + timeout
        while min(v.count(b"\n") for v in got.values()) < lines_wanted and time.time() < deadline:
            got["app"] += app.read(4096)
            got["rfc2217"] += port.read(4096)
            try:
                got["raw"] += client.recv(4096)
            except socket.timeout:
                pass
    finally:
        app.close()
        port.close()
        client.close()
    return {name: data.split(b"\r\n")[1:-1] for name, data in got.items()}


def assert_same_smoker_stream(lines, wanted):
    for name, found in lines.items():
        assert len(found) >= wanted, (name, found)
        assert all(json.loads(line).keys() == {"Meat", "Meat2", "Meat3", "Chamber"} for line in found), (name, found)
    common = set(lines["app"]) & set(lines["rfc2217"]) & set(lines["raw"])
    assert len(common) >= wanted - 2, lines


def test_the_default_serve_holds_one_pty_per_device_and_feeds_every_endpoint(devbridge, tmp_path):
    """`devbridge serve` on its embedded default: a smoker (RFC 2217 on 7001, raw on 7002) and a
    CGM hold two PTYs in all, and the link, 7001 and 7002 each get every smoker line."""
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    process = subprocess.Popen(
        [str(devbridge), "serve", "--log-level", "info"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=env)
    try:
        link = tmp_path / "devbridge" / "smoker"
        deadline = time.time() + 60
        while time.time() < deadline and not (link.is_symlink() and (tmp_path / "devbridge" / "cgm").is_symlink()):
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.05)
        assert link.is_symlink()
        deadline = time.time() + 20
        while time.time() < deadline and ptmx_count(process.pid) != 2:
            time.sleep(0.05)
        assert ptmx_count(process.pid) == 2
        # Opening the link resets the smoker (3 s of warm-up), then a line a second.
        lines = read_all_three(link, 7001, 7002, lines_wanted=7, timeout=40)
        assert_same_smoker_stream(lines, 5)
        assert ptmx_count(process.pid) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "Fatal error" not in output


def test_a_process_isolated_smoker_is_served_the_same_way(serve, tmp_path):
    """isolation: process: the service holds the link's PTY and both exports, the child none;
    every endpoint gets every line, and the API shows the child's live readings."""
    rfc, raw = free_port(), free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n    reset_on_open: false\n"
        f"    isolation: process\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n      - {{mode: raw, listen: '127.0.0.1:{raw}'}}\n"
    )
    running = service.wait_for(
        lambda: (d := service.device("smoker"))["status"] == "running" and d.get("pid") and d, what="child running")
    assert ptmx_count(service.process.pid) == 1
    assert ptmx_count(running["pid"]) == 0
    lines = read_all_three(tmp_path / "smoker", rfc, raw, lines_wanted=14, timeout=30)
    assert_same_smoker_stream(lines, 12)
    # The child reports every second: wait for a report from after the lines above.
    live = service.wait_for(
        lambda: (d := service.device("smoker")).get("channels") and d["counters"]["linesWritten"] >= 12 and d,
        what="live readings")
    assert any(c["value"] is not None for c in live["channels"]), live["channels"]
    exports = {e["mode"]: e for e in live["exports"]}
    assert exports["raw"]["status"] == "running" and exports["rfc2217"]["counters"]["bytesOut"] > 0
    assert service.stop() == 0


def read_line(port, timeout):
    """One whole line from `port` within `timeout` seconds (b"" if none came)."""
    line = b""
    deadline = time.time() + timeout
    while not line.endswith(b"\r\n") and time.time() < deadline:
        line += port.readline()
    return line if line.endswith(b"\r\n") else b""


def test_dtr_drop_and_raise_over_rfc2217_resets_the_device(serve, tmp_path):
    """SET-CONTROL DTR off then on resets a virtual device as opening its port does; DTR off
    alone, or a client connecting, does not."""
    rfc = free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 1\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n"
    )
    service.wait_for(lambda: service.device("smoker")["status"] == "running", what="device running")
    port = serial.serial_for_url(f"rfc2217://127.0.0.1:{rfc}", baudrate=9600, timeout=0.2)
    try:
        assert service.device("smoker")["counters"]["resets"] == 0
        assert read_line(port, 10)  # past the power-on warm-up
        port.dtr = False
        assert read_line(port, 5)  # lines keep coming while DTR is low
        read_line(port, 5)  # the next line begins with a fresh second
        assert service.device("smoker")["counters"]["resets"] == 0
        port.dtr = True
        service.wait_for(lambda: service.device("smoker")["counters"]["resets"] == 1, what="reset on DTR raise")
        port.reset_input_buffer()
        # After the reset the board is silent for its warm-up (~3 s), then prints again.
        started = time.time()
        line = read_line(port, 10)
        assert line and time.time() - started > 1.5, (line, time.time() - started)
    finally:
        port.close()
    assert service.stop() == 0


def test_notify_modemstate_follows_a_process_device(serve, tmp_path):
    """An RFC 2217 client sees CTS, DSR and CD while the device runs; they drop while its child
    process is down and come back when it restarts."""
    rfc = free_port()
    service = serve(
        "devices:\n"
        f"  smoker:\n    profile: smoker-brisket\n    link: {tmp_path}/smoker\n    speed: 60\n"
        f"    isolation: process\n    limits: {{restart_backoff: 3s}}\n"
        f"    exports:\n      - {{mode: rfc2217, listen: '127.0.0.1:{rfc}'}}\n"
    )
    first = service.wait_for(
        lambda: (d := service.device("smoker"))["status"] == "running" and d.get("pid") and d, what="child running")
    port = serial.serial_for_url(
        f"rfc2217://127.0.0.1:{rfc}?poll_modem", baudrate=9600, timeout=0.2)

    def wait_for_lines(up):
        deadline = time.time() + 15
        while time.time() < deadline:
            if (port.cts, port.dsr, port.cd) == (up, up, up):
                return True
            time.sleep(0.05)
        return False

    try:
        assert wait_for_lines(True), (port.cts, port.dsr, port.cd)
        os.kill(first["pid"], signal.SIGKILL)
        assert wait_for_lines(False), (port.cts, port.dsr, port.cd)
        service.wait_for(
            lambda: (d := service.device("smoker"))["status"] == "running" and d.get("pid") not in (None, first["pid"]),
            what="restart")
        assert wait_for_lines(True), (port.cts, port.dsr, port.cd)
    finally:
        port.close()
    assert service.stop() == 0
