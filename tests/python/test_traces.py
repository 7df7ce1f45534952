"""Device traces (issue #6): tshark reads what devbridge writes, record → replay
gives the app the same bytes, --match reports a wrong write, truncated and
corrupt files, and a SIGKILLed recorder leaves a readable file."""
import os
import random
import re
import select
import shutil
import signal
import subprocess
import time

import pytest

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (scripts/bootstrap.sh installs it)")


STARTED = []


@pytest.fixture(autouse=True)
def kill_leftovers():
    """A failed test must not leave a recorder behind: one waiting for its device would take over
    a later test's device."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start(devbridge, *args):
    """Starts devbridge in the background; returns the process once it printed its 'link:' line."""
    proc = subprocess.Popen(
        [str(devbridge), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    STARTED.append(proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"devbridge {args} exited early: {proc.stderr.read()}")
        if line.strip().startswith("link:"):
            return proc
    proc.kill()
    raise AssertionError(f"devbridge {args} did not start")


def stop(proc, sig=signal.SIGINT):
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def open_raw(path):
    """Opens a tty like an app does (raw, non-blocking reads through select)."""
    import termios
    import tty

    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return fd


def read_exactly(fd, count, timeout=10.0):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            data += os.read(fd, count - len(data))
    return data


def tshark_packets(path):
    """(interface name, direction flags, payload bytes, comment) of every packet, as tshark reads them."""
    result = subprocess.run(
        [TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
         "-e", "frame.packet_flags_direction", "-e", "data.data", "-e", "frame.comment"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    packets = []
    for line in result.stdout.splitlines():
        name, flags, data, comment = line.split("|")
        packets.append((name, int(flags, 16) if flags else 0, bytes.fromhex(data.replace(":", "")), comment))
    return packets


def fake_device():
    """A PTY pair standing in for a real serial device: returns (master fd the 'device' uses, slave path)."""
    master, slave = os.openpty()
    import tty

    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)
    return master, path


@needs_tshark
def test_tshark_reads_sim_trace(devbridge, tmp_path, run):
    trace = tmp_path / "sim.pcapng"
    link = tmp_path / "smoker"
    proc = start(devbridge, "sim", "smoker-brisket", "--link", link, "--speed", "60", "--trace", trace)
    fd = open_raw(link)
    os.write(fd, b"hello device\n")
    received = read_exactly(fd, 300, timeout=15)
    os.close(fd)
    time.sleep(0.3)
    code, _, err = stop(proc)
    assert code == 0, err
    packets = tshark_packets(trace)
    ours = run("trace", "show", trace).stdout
    # tshark's packet count equals ours (two header lines in `trace show`, long packets wrap with '…').
    shown = [line for line in ours.splitlines() if line and not line.startswith("#") and "  …" not in line]
    assert len(packets) == len(shown)
    data = [p for p in packets if p[0] == str(link)]
    inbound = b"".join(p[2] for p in data if p[1] == 1)
    outbound = b"".join(p[2] for p in data if p[1] == 2)
    assert inbound == b"hello device\n"
    assert len(received) == 300 and received in outbound
    assert all(p[1] in (1, 2) for p in data)
    events = [p[3] for p in packets if p[0] == "events"]
    assert f"{link}: open" in events and f"{link}: reset" in events and f"{link}: close" in events
    assert any(e.startswith(f"{link}: line 9600 8N1") for e in events)


def record_session(devbridge, tmp_path, exchanges):
    """Runs `record` between an app and a fake device; the device answers each request.
    Returns (trace path, bytes the app received)."""
    master, device_path = fake_device()
    trace = tmp_path / "rec.pcapng"
    link = tmp_path / "app-link"
    proc = start(devbridge, "record", "--device", device_path, "--link", link, "--out", trace)
    app = open_raw(link)
    time.sleep(0.3)
    got = b""
    for request, answer in exchanges:
        os.write(app, request)
        assert read_exactly(master, len(request)) == request
        os.write(master, answer)
        got += read_exactly(app, len(answer))
    os.close(app)
    time.sleep(0.3)
    code, out, err = stop(proc)
    os.close(master)
    assert code == 0, err
    assert "recorded" in out
    return trace, link, got


EXCHANGES = [(b"HELLO\n", b"WORLD\r\n"), (b"GET TEMP\n", b'{"Meat": "150.25","Chamber": "225.00"}\r\n'),
             (b"\x02bin\x03", b"\x00\xff\x10ok")]


@needs_tshark
def test_tshark_reads_record_trace(devbridge, tmp_path):
    trace, _, got = record_session(devbridge, tmp_path, EXCHANGES)
    assert got == b"".join(a for _, a in EXCHANGES)
    packets = tshark_packets(trace)
    data = [p for p in packets if p[0] != "events"]
    assert {p[0] for p in data} == {p[0] for p in data if p[0].startswith("/dev/pts/")}
    assert b"".join(p[2] for p in data if p[1] == 1) == b"".join(r for r, _ in EXCHANGES)
    assert b"".join(p[2] for p in data if p[1] == 2) == b"".join(a for _, a in EXCHANGES)
    events = [p[3].split(": ", 1)[1] for p in packets if p[0] == "events"]
    assert "open" in events and "close" in events


def test_record_then_replay_gives_the_same_bytes(devbridge, tmp_path):
    trace, _, _ = record_session(devbridge, tmp_path, EXCHANGES)
    for match in (False, True):
        link = tmp_path / f"replay-{match}"
        args = ["replay", trace, "--link", link, "--speed", "4"] + (["--match", "--strict"] if match else [])
        proc = start(devbridge, *args)
        app = open_raw(link)
        got = b""
        for request, answer in EXCHANGES:
            os.write(app, request)
            got += read_exactly(app, len(answer))
        os.close(app)
        code, out, err = proc.wait(timeout=30), proc.stdout.read(), proc.stderr.read()
        assert code == 0, err
        assert got == b"".join(a for _, a in EXCHANGES)
        assert "0 mismatches" in out


def test_replay_match_reports_a_wrong_write(devbridge, tmp_path):
    trace, _, _ = record_session(devbridge, tmp_path, EXCHANGES)
    link = tmp_path / "replay-bad"
    proc = start(devbridge, "replay", trace, "--link", link, "--match", "--strict")
    app = open_raw(link)
    os.write(app, b"HELLP\n")
    code = proc.wait(timeout=30)
    err = proc.stderr.read()
    os.close(app)
    assert code != 0
    assert "replay mismatch at app byte 4" in err
    assert "expected: 4f 0a" in err and '"O\\n"' in err
    assert "actual:   50 0a" in err and '"P\\n"' in err


def test_truncated_file_opens_with_a_warning(devbridge, tmp_path, run):
    trace, _, _ = record_session(devbridge, tmp_path, EXCHANGES)
    data = trace.read_bytes()
    rng = random.Random(6)
    for cut in sorted(rng.sample(range(1, len(data)), 5)):
        cut_file = tmp_path / f"cut-{cut}.pcapng"
        cut_file.write_bytes(data[:cut])
        result = run("trace", "show", cut_file, check=False)
        assert result.returncode == 0, result.stderr
        if not any(cut == boundary for boundary in block_boundaries(data)):
            assert "warning:" in result.stderr and "truncated" in result.stderr


def block_boundaries(data):
    offsets, offset = [], 0
    while offset + 8 <= len(data):
        offset += int.from_bytes(data[offset + 4: offset + 8], "little")
        offsets.append(offset)
    return offsets


def test_corrupt_header_is_a_clear_error(devbridge, tmp_path, run):
    bad = tmp_path / "bad.pcapng"
    bad.write_bytes(b"this is not a pcapng file at all\n")
    result = run("trace", "show", bad, check=False)
    assert result.returncode == 1
    assert "not a pcapng file" in result.stderr and str(bad) in result.stderr
    trace, _, _ = record_session(devbridge, tmp_path, EXCHANGES[:1])
    data = bytearray(trace.read_bytes())
    data[8:12] = b"\x00\x00\x00\x00"  # byte-order magic
    bad.write_bytes(bytes(data))
    result = run("trace", "show", bad, check=False)
    assert result.returncode == 1
    assert "corrupt pcapng section header" in result.stderr


def test_sigkilled_recorder_keeps_everything_older_than_a_second(devbridge, tmp_path, run):
    master, device_path = fake_device()
    trace = tmp_path / "killed.pcapng"
    proc = start(devbridge, "record", "--device", device_path, "--link", tmp_path / "k", "--out", trace)
    sent = []  # (monotonic time written, line)
    for index in range(60):
        line = f"line {index:04d}\n".encode()
        os.write(master, line)
        sent.append((time.monotonic(), line))
        time.sleep(0.05)
    kill_time = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    os.close(master)
    result = run("trace", "show", trace, check=False)
    assert result.returncode == 0, result.stderr
    recorded = b""
    for line in result.stdout.splitlines():
        if "  out  " in line:
            recorded += eval("b" + line[line.index('"'):])  # the quoted text column
    older = b"".join(line for when, line in sent if when < kill_time - 1.0)
    assert len(older) > 0
    assert recorded.startswith(older)


def test_export_trace_is_read_by_tshark(devbridge, tmp_path, run):
    if TSHARK is None:
        pytest.skip("tshark is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    master, device_path = fake_device()
    trace = tmp_path / "export.pcapng"
    proc = subprocess.Popen(
        [str(devbridge), "export", device_path, "--listen", f"127.0.0.1:{port}", "--mode", "raw", "--trace", str(trace)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    client = None
    deadline = time.monotonic() + 20
    while client is None and time.monotonic() < deadline:
        try:
            client = socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            time.sleep(0.1)
    assert client is not None, "export did not listen"
    client.sendall(b"to device\n")
    assert read_exactly(master, 10) == b"to device\n"
    os.write(master, b"from device\n")
    client.settimeout(5)
    got = b""
    while len(got) < 12:
        got += client.recv(100)
    client.close()
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    os.close(master)
    packets = [p for p in tshark_packets(trace) if p[0] != "events"]
    assert b"".join(p[2] for p in packets if p[1] == 1) == b"to device\n"
    assert b"".join(p[2] for p in packets if p[1] == 2) == b"from device\n"


def test_trace_feeds_a_profile_csv_channel(devbridge, tmp_path, run):
    trace, _, _ = record_session(devbridge, tmp_path, EXCHANGES)
    csv = tmp_path / "cook.csv"
    run("trace", "export-csv", trace, "--out", csv)
    lines = csv.read_text().splitlines()
    assert lines[0] == "time,Meat,Chamber"
    assert lines[1].endswith(",150.25,225.00")
    # The recorded pit curve drives a profile channel.
    profile = tmp_path / "replayed.yaml"
    profile.write_text(
        "name: replayed-pit\nunits: F\nclock: {tick: 1s, duration: 2s}\n"
        "channels:\n  pit:\n    csv: {file: cook.csv, column: Chamber, time_column: time}\n"
    )
    out = run("profile", "run", profile, "--every", "1s").stdout.splitlines()
    assert out[0].split(",")[2] == "pit"
    assert out[1].split(",")[2] == "225.00"


def test_record_waits_for_a_device_that_hung_up_and_keeps_recording(devbridge, tmp_path, run):
    """The device (a PTY behind a symlink, as udev's by-id links are) goes away and comes back:
    the app's link stays, and the trace shows both sessions with hangup and open between them."""
    master, slave_path = fake_device()
    device_link = tmp_path / "ttyUSB-by-id"
    os.symlink(slave_path, device_link)
    trace = tmp_path / "replug.pcapng"
    proc = start(devbridge, "record", "--device", device_link, "--link", tmp_path / "app", "--out", trace)
    app = open_raw(tmp_path / "app")
    try:
        os.write(app, b"before\n")
        assert read_exactly(master, 7) == b"before\n"
        os.write(master, b"one\r\n")
        assert read_exactly(app, 5) == b"one\r\n"

        os.close(master)  # unplug: the recorder's reads fail with EIO
        os.unlink(device_link)
        time.sleep(0.5)
        os.write(app, b"lost\n")  # nobody to take it: dropped and counted
        time.sleep(0.2)
        master, slave_path = fake_device()  # replug, maybe under another name
        os.symlink(slave_path, device_link)

        deadline = time.monotonic() + 10
        echoed = b""
        while b"after" not in echoed and time.monotonic() < deadline:
            os.write(app, b"after\n")
            try:
                echoed += read_exactly(master, 6, timeout=0.5)
            except OSError:  # EIO: nobody has the new port open yet
                time.sleep(0.1)
        assert b"after\n" in echoed
        os.write(master, b"two\r\n")
        assert read_exactly(app, 5) == b"two\r\n"
    finally:
        os.close(app)
    time.sleep(0.3)
    code, out, err = stop(proc)
    os.close(master)
    assert code == 0, err
    dropped = re.search(r"hung up 1×, (\d+) app bytes dropped", out)
    assert dropped and int(dropped.group(1)) >= len(b"lost\n"), out
    shown = run("trace", "show", trace).stdout
    events = [line.split()[-1] for line in shown.splitlines() if " event " in line]
    assert "hangup" in events and events.index("hangup") < len(events) - 1
    assert events[events.index("hangup") + 1] == "open", events
    assert '"one\\r\\n"' in shown and '"two\\r\\n"' in shown


@pytest.mark.parametrize("flags", [["--exit-on-hangup"], []], ids=["exit-on-hangup", "pts-path"])
def test_record_exit_on_hangup_ends_the_recording(devbridge, tmp_path, flags):
    """--exit-on-hangup ends at the hangup; so does a /dev/pts/N device without it (its number gets reused)."""
    master, device_path = fake_device()
    assert device_path.startswith("/dev/pts/")
    trace = tmp_path / "once.pcapng"
    proc = start(devbridge, "record", "--device", device_path, "--link", tmp_path / "app", "--out", trace, *flags)
    os.close(master)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "hung up 1×" in out


@needs_tshark
def test_record_rotation_gives_files_that_each_open_on_their_own(devbridge, tmp_path):
    """--rotate-size: every file is a complete pcapng (tshark reads it alone, interfaces included),
    and the files' packets, in order, are the whole session."""
    master, device_path = fake_device()
    trace = tmp_path / "rot.pcapng"
    proc = start(devbridge, "record", "--device", device_path, "--link", tmp_path / "app", "--out", trace,
                 "--rotate-size", "2KB")
    app = open_raw(tmp_path / "app")
    time.sleep(0.3)  # the PTY drops output until it has seen the app's open (as record_session waits)
    sent = b""
    try:
        for i in range(6):
            chunk = bytes([0x41 + i]) * 1000
            os.write(master, chunk)
            assert read_exactly(app, len(chunk)) == chunk
            sent += chunk
            time.sleep(0.4)  # past the 250 ms flush, after which a file may rotate
    finally:
        os.close(app)
    code, _, err = stop(proc)
    os.close(master)
    assert code == 0, err
    files = sorted(tmp_path.glob("rot.pcapng*"), key=lambda p: int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0)
    assert len(files) >= 3, files
    received = b""
    for path in files:
        packets = tshark_packets(path)
        assert packets, f"{path.name} has no packets"
        received += b"".join(p[2] for p in packets if p[0] == device_path and p[1] == 2)
    assert received == sent


def pcapng(packets):
    """A pcapng file written independently of devbridge: one serial interface 'dev' (link type 147), the
    'events' interface (148); packets are (ms offset, 'in'/'out'/'event', bytes), timestamps in ns."""
    import struct

    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        length = len(body) + 12
        return struct.pack("<II", kind, length) + body + struct.pack("<I", length)

    def option(code, value):
        return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    def interface(link_type, name):
        options = option(2, name.encode()) + option(9, b"\x09") + option(0, b"")
        return block(1, struct.pack("<HHI", link_type, 0, 0) + options)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += interface(147, "dev") + interface(148, "events")
    base = time.time_ns()
    for offset_ms, kind, data in packets:
        stamp = base + offset_ms * 1_000_000
        options = b""
        if kind == "event":
            data = b"dev: " + data
            options = option(1, data)
        else:
            options = option(2, struct.pack("<I", 1 if kind == "in" else 2))
        body = struct.pack("<IIIII", 1 if kind == "event" else 0, stamp >> 32, stamp & 0xFFFFFFFF, len(data), len(data))
        out += block(6, body + data + b"\0" * (-len(data) % 4) + options + option(0, b""))
    return out


def start_with_banner(devbridge, *args):
    """Like start(), but also returns the banner it printed up to its 'link:' line."""
    proc = subprocess.Popen(
        [str(devbridge), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    STARTED.append(proc)
    banner = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"devbridge {args} exited early: {proc.stderr.read()}")
        banner += line
        if line.strip().startswith("link:"):
            return proc, banner
    raise AssertionError(f"devbridge {args} did not start")


def test_replay_applies_the_recorded_line_settings(devbridge, tmp_path):
    """pyserial at the recorded baud reads the recorded bytes; at another baud it reads garbage, as from
    the real device, and --match reports the line settings. A recorded modem event is printed, not checked."""
    serial = pytest.importorskip("serial")
    trace = tmp_path / "line.pcapng"
    hello, bye = b"HELLO 9600\r\n", b"BYE\r\n"
    trace.write_bytes(pcapng([
        (0, "event", b"line 9600 8N1"), (1, "event", b"open"),
        (300, "out", hello), (400, "event", b"modem dtr=1 rts=0"), (500, "out", bye),
    ]))

    # At the recorded baud: the recorded bytes, no mismatch.
    link = tmp_path / "replay-9600"
    proc, banner = start_with_banner(devbridge, "replay", trace, "--link", link, "--match", "--strict")
    assert "starting at 9600 8N1" in banner
    assert "1 recorded modem/break events are not checkable on a PTY" in banner
    with serial.Serial(str(link), 9600, timeout=10) as app:
        assert app.read(len(hello + bye)) == hello + bye
    code, out, err = proc.wait(timeout=30), proc.stdout.read(), proc.stderr.read()
    assert code == 0, err
    assert "0 mismatches" in out
    assert "modem dtr=1 rts=0 (recorded; not reproduced on a PTY)" in out

    # At 115200: what a UART at 115200 makes of the 9600 device's bytes (each frame's long start bit alone
    # gives a byte, so at least as many bytes arrive), and a reported mismatch naming both settings.
    link = tmp_path / "replay-115200"
    proc = start(devbridge, "replay", trace, "--link", link, "--match")
    with serial.Serial(str(link), 115200, timeout=10) as app:
        got = app.read(len(hello))
    code, out, err = proc.wait(timeout=30), proc.stdout.read(), proc.stderr.read()
    assert len(got) == len(hello) and got != hello
    assert code == 0, err
    assert "replay mismatch in line settings" in err
    assert "expected: 9600 8N1" in err and "actual:   115200 8N1" in err
    assert "1 mismatches" in out
