"""End-to-end scenarios in a real Linux guest under QEMU (issue #9).

Every host↔guest path is a QEMU chardev socket connecting to a devbridge
process on 127.0.0.1; the guest has no network. Each boot runs one scenario of
tests/guest/init.sh, which prints what it read and a DEVBRIDGE-GUEST-RESULT
marker; the host checks both and shows the console log on failure.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import select
import socket
import struct
import termios
import threading
import time
import tty


SMOKER_KEYS = ["Meat", "Meat2", "Meat3", "Chamber"]


def sim(host, name: str, profile: str, link: pathlib.Path, *extra) -> "HostProcess":
    proc = host(name, "sim", profile, "--link", link, *extra)
    proc.wait_for(r"^\s*link:")
    return proc


def export(host, name: str, device: pathlib.Path, mode: str, *extra) -> tuple["HostProcess", int]:
    """devbridge export DEVICE on 127.0.0.1:0; returns (process, port)."""
    proc = host(name, "export", device, "--listen", "127.0.0.1:0", "--mode", mode, *extra)
    match = proc.wait_for(r"on 127\.0\.0\.1:(\d+)")
    return proc, int(match.group(1))


def serve_smoker(host, tmp_path, mode: str = "raw") -> int:
    """devbridge serve with one virtual smoker exported on 127.0.0.1; returns the export's port."""
    with socket.socket() as probe:  # a free port for the export (the API takes port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "serve.yaml"
    config.write_text(
        "api:\n"
        "  listen: 127.0.0.1:0\n"
        "devices:\n"
        "  smoker:\n"
        "    profile: smoker-brisket\n"
        "    protocol: smart-smoker\n"
        f"    link: {tmp_path / 'smoker'}\n"
        "    speed: 10\n"
        f"    exports: [{{mode: {mode}, listen: 127.0.0.1:{port}}}]\n"
    )
    proc = host("serve", "serve", "--config", config)
    proc.wait_for(rf"{mode}: 127\.0\.0\.1:{port}\b")
    deadline = time.monotonic() + 20
    while True:  # QEMU's client chardev needs the listener up
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port
        except OSError:
            assert time.monotonic() < deadline, f"serve's export never listened\n{proc.report()}"
            time.sleep(0.1)


def valid_smoker_line(line: str) -> bool:
    """A Smart Smoker line as its consumer accepts it: JSON with the four keys, values as strings."""
    try:
        value = json.loads(line)
    except ValueError:
        return False
    return (isinstance(value, dict) and list(value) == SMOKER_KEYS
            and all(isinstance(value[k], str) for k in SMOKER_KEYS))


def valid_heatermeter_line(line: str) -> bool:
    """$HMSU,...*CS with 10 fields and CS the XOR of the bytes between $ and *."""
    match = re.fullmatch(r"\$(HMSU(?:,[^,*]*){10})\*([0-9A-F]{2})", line)
    if not match:
        return False
    checksum = 0
    for byte in match.group(1).encode():
        checksum ^= byte
    return checksum == int(match.group(2), 16)


def smoker_serial_chardev(port: int) -> list[str]:
    """Scenario 1's path: -chardev socket to 127.0.0.1:port as the guest's second UART (ttyS1)."""
    return ["-chardev", f"socket,id=s1,host=127.0.0.1,port={port}", "-serial", "chardev:s1"]


def virtio_serial_chardev(port: int) -> list[str]:
    return ["-device", "virtio-serial-pci",
            "-chardev", f"socket,id=v1,host=127.0.0.1,port={port}",
            "-device", "virtserialport,chardev=v1,name=devbridge.0"]


def test_virtual_smoker_to_guest_serial_port(host, boot, tmp_path):
    """1. devbridge serve's virtual smoker, exported over TCP, shows up on the guest's /dev/ttyS1."""
    port = serve_smoker(host, tmp_path)
    result = boot("smoker-serial", smoker_serial_chardev(port))
    valid = [line for line in result.lines() if valid_smoker_line(line)]
    assert result.result == "PASS", result.failure("the guest did not read five smoker lines on ttyS1")
    assert len(valid) >= 5, result.failure(f"only {len(valid)} valid Smart Smoker lines reached the host's check")


def test_attach_over_virtio_serial(host, boot, tmp_path):
    """2. devbridge attach /dev/virtio-ports/devbridge.0 in the guest creates /dev/ttyUSB0 with HeaterMeter lines."""
    sim(host, "sim", "smoker-brisket", tmp_path / "hm", "--protocol", "heatermeter", "--speed", "10")
    _, port = export(host, "export", tmp_path / "hm", "raw")
    result = boot("attach-virtio", virtio_serial_chardev(port))
    valid = [line for line in result.lines() if valid_heatermeter_line(line)]
    assert result.result == "PASS", result.failure("attach over virtio-serial did not deliver HeaterMeter lines")
    assert len(valid) >= 4, result.failure(f"only {len(valid)} HeaterMeter lines with a good checksum")


def test_attach_over_virtio_serial_relays_the_baud_change(host, boot, tmp_path):
    """2. The guest program's 38400 baud reaches the host-side device (RFC 2217 over the virtio-serial port)."""
    device = sim(host, "sim", "smoker-brisket", tmp_path / "hm", "--protocol", "heatermeter", "--speed", "10",
                 "--log-level", "info")
    # The export starts the host-side port at 9600, so 38400 can only come from the guest.
    _, port = export(host, "export", tmp_path / "hm", "rfc2217", "--line", "9600")
    result = boot("attach-virtio-rfc2217", virtio_serial_chardev(port))
    valid = [line for line in result.lines() if valid_heatermeter_line(line)]
    assert result.result == "PASS", result.failure("attach (RFC 2217 over virtio-serial) did not deliver lines")
    assert len(valid) >= 4, result.failure(f"only {len(valid)} HeaterMeter lines with a good checksum")
    settings = re.findall(r"app set the port to (\d+)", device.stderr() + device.out_path.read_text())
    assert settings[:1] == ["9600"] and "38400" in settings, result.failure(
        f"the host-side device saw {settings}, not 9600 then the guest's 38400")


def test_usb_serial_adapter_backed_by_virtual_smoker(host, boot, tmp_path):
    """3. QEMU's emulated FTDI adapter, backed by serve's virtual smoker, is /dev/ttyUSB0 in the guest."""
    port = serve_smoker(host, tmp_path)
    result = boot("usb-serial", ["-device", "qemu-xhci,id=xhci",
                                 "-chardev", f"socket,id=u1,host=127.0.0.1,port={port}",
                                 "-device", "usb-serial,chardev=u1,bus=xhci.0"])
    valid = [line for line in result.lines() if valid_smoker_line(line)]
    assert result.result == "PASS", result.failure("the guest did not read smoker lines from the USB adapter")
    assert len(valid) >= 5, result.failure(f"only {len(valid)} valid Smart Smoker lines")


def read_pcapng(path) -> list[tuple[str, int, bytes]]:
    """(interface name, direction flags, data) of every Enhanced Packet Block (little-endian files)."""
    data = path.read_bytes()
    interfaces: list[str] = []
    packets = []
    offset = 0
    while offset + 12 <= len(data):
        block_type, length = struct.unpack_from("<II", data, offset)
        body = data[offset + 8:offset + length - 4]
        if block_type == 1:  # Interface Description Block
            name = ""
            pos = 8
            while pos + 4 <= len(body):
                code, size = struct.unpack_from("<HH", body, pos)
                if code == 0:
                    break
                if code == 2:
                    name = body[pos + 4:pos + 4 + size].decode()
                pos += 4 + size + (-size % 4)
            interfaces.append(name)
        elif block_type == 6:  # Enhanced Packet Block
            interface, _, _, captured, _ = struct.unpack_from("<IIIII", body, 0)
            payload = body[20:20 + captured]
            flags = 0
            pos = 20 + captured + (-captured % 4)
            while pos + 4 <= len(body):
                code, size = struct.unpack_from("<HH", body, pos)
                if code == 0:
                    break
                if code == 2:
                    flags = struct.unpack_from("<I", body, pos + 4)[0]
                pos += 4 + size + (-size % 4)
            packets.append((interfaces[interface], flags, payload))
        offset += length
    return packets


def record_smoker_trace(host, tmp_path, lines: int = 5):
    """Records a virtual smoker session on the host: the app writes GO\\n, then reads `lines` lines."""
    trace = tmp_path / "recorded.pcapng"
    link = tmp_path / "rec-smoker"
    device = sim(host, "record-sim", "smoker-brisket", link, "--speed", "10", "--trace", trace)
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    os.write(fd, b"GO\n")
    got = b""
    deadline = time.monotonic() + 30
    while got.count(b"\n") < lines and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            got += os.read(fd, 4096)
    os.close(fd)
    time.sleep(0.3)
    device.stop()
    assert got.count(b"\n") >= lines, f"recording: the virtual smoker sent only {got!r}\n{device.report()}"
    return trace


def test_replay_recorded_trace_to_guest(host, boot, tmp_path):
    """4. A trace recorded on the host, replayed through scenario 1's path: the guest gets the recorded bytes."""
    trace = record_smoker_trace(host, tmp_path)
    packets = [p for p in read_pcapng(trace) if p[0] != "events"]
    inbound = b"".join(p[2] for p in packets if p[1] & 3 == 1)
    outbound = b"".join(p[2] for p in packets if p[1] & 3 == 2)
    assert inbound.startswith(b"GO\n") and outbound.count(b"\n") >= 5, f"unexpected trace: {packets!r}"
    # --match: the replayed device waits for the guest's GO\n before it sends, so no byte is sent before the
    # guest listens; --open clients: the PTY is opened (and the replay starts) once QEMU connects.
    replayed = tmp_path / "replayed"
    host("replay", "replay", trace, "--link", replayed, "--match").wait_for(r"^\s*link:")
    _, port = export(host, "export", replayed, "raw", "--open", "clients")
    result = boot("replay", smoker_serial_chardev(port), bytes=len(outbound))
    assert result.result == "PASS", result.failure("the guest did not receive all recorded bytes")
    got = result.hex_bytes()
    assert got == outbound, result.failure(f"the guest received {got!r}, recorded {outbound!r}")


def test_break_on_a_real_uart_reaches_an_rfc2217_client_as_linestate(tmp_path, boot):
    """5. devbridge export in the guest, on the emulated 16550 ttyS1: a BREAK the host sends (telnet IAC BRK
    into ttyS1's chardev) is counted by the guest kernel and reported to an RFC 2217 client as NOTIFY-LINESTATE."""
    with socket.socket() as probe:  # QEMU listens (only a telnet *server* chardev turns IAC BRK into a BREAK)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = threading.Event()

    def send_breaks():
        while not stop.is_set():
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                time.sleep(0.1)
                continue
            with connection:
                while not stop.wait(0.5):  # keep breaking: whichever arrives once the export is up is reported
                    try:
                        connection.sendall(b"\xff\xf3")  # IAC BRK
                    except OSError:
                        return
            return

    thread = threading.Thread(target=send_breaks, daemon=True)
    thread.start()
    try:
        result = boot("line-errors", ["-chardev", f"socket,id=s1,host=127.0.0.1,port={port},server=on,wait=off,telnet=on",
                                      "-serial", "chardev:s1"])
    finally:
        stop.set()
        thread.join(timeout=5)
    assert result.result == "PASS", result.failure("the guest's RFC 2217 client saw no break-detect NOTIFY-LINESTATE")
    assert bytes.fromhex("fffa2c6a10fff0") in result.hex_bytes(), result.failure("the notification is not in the bytes")
