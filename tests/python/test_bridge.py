"""Serial bridge (issue #5) with real third-party clients: pyserial rfc2217:// and
socket://, socat, hangup and reopen, slow-client isolation, attach round trip.
The exported device is a PTY made here (os.openpty); its master plays the device.
Only 127.0.0.1 is used."""
import contextlib
import fcntl
import os
import pathlib
import re
import select
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import termios
import threading
import time

import pytest
import serial

DEADLINE = 5.0
TCGETS2 = 0x802C542A  # struct termios2 is 44 bytes; c_ospeed at offset 40


class Device:
    """A PTY pair: the bridge opens `path` (a symlink to the slave); the test is the device on the master."""

    def __init__(self, link):
        self.link = link
        self.master, self.slave = os.openpty()
        os.set_blocking(self.master, False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.symlink(os.ttyname(self.slave), link)

    def read(self, count, timeout=DEADLINE):
        data = b""
        end = time.monotonic() + timeout
        while len(data) < count and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                with contextlib.suppress(BlockingIOError, OSError):
                    data += os.read(self.master, 65536)
        return data

    def write(self, data):
        view = memoryview(data)
        while view:
            with contextlib.suppress(BlockingIOError):
                written = os.write(self.master, view)
                view = view[written:]
                continue
            select.select([], [self.master], [], 0.05)

    def baud(self):
        """The slave's output baud rate as the kernel holds it (TCGETS2 c_ospeed; any rate)."""
        raw = fcntl.ioctl(self.slave, TCGETS2, bytes(44))
        return struct.unpack_from("I", raw, 40)[0]

    def close(self):
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="devbridge-bridge-") as directory:
        yield pathlib.Path(directory)


@pytest.fixture
def device(tmp):
    dev = Device(str(tmp / "dev"))
    yield dev
    with contextlib.suppress(OSError):
        dev.close()


@contextlib.contextmanager
def export(devbridge, path, *args):
    """Runs `devbridge export` on a free port; yields (process, port)."""
    process = subprocess.Popen(
        [str(devbridge), "export", str(path), "--listen", "127.0.0.1:0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"on 127\.0\.0\.1:(\d+)", line)
        assert match, f"no listen line: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
        yield process, int(match.group(1))
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


def wait_for(condition, timeout=DEADLINE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def recv_exactly(sock, count, timeout=DEADLINE):
    sock.settimeout(0.1)
    data = b""
    end = time.monotonic() + timeout
    while len(data) < count and time.monotonic() < end:
        with contextlib.suppress(socket.timeout):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_pyserial_rfc2217_settings_reach_the_device_termios(devbridge, device):
    with export(devbridge, device.link, "--mode", "rfc2217") as (_, port):
        port_ = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=9600, timeout=3)
        try:
            assert wait_for(lambda: device.baud() == 9600)
            port_.baudrate = 57600
            assert wait_for(lambda: device.baud() == 57600)
            port_.dtr = False
            port_.rts = False
            port_.dtr = True
            port_.send_break(0.05)
            # A PTY has no modem lines: the export still reports a (zero) modem state.
            assert (port_.cts, port_.dsr, port_.ri, port_.cd) == (False, False, False, False)
            port_.reset_input_buffer()
            port_.reset_output_buffer()
            port_.write(b"ping\xff")
            assert device.read(5) == b"ping\xff"
            device.write(b"pong\xff")
            assert port_.read(5) == b"pong\xff"
        finally:
            port_.close()


def test_pyserial_socket_and_two_clients_each_get_all_output(devbridge, device):
    with export(devbridge, device.link) as (_, port):
        a = serial.serial_for_url(f"socket://127.0.0.1:{port}", timeout=3)
        b = serial.serial_for_url(f"socket://127.0.0.1:{port}", timeout=3)
        try:
            time.sleep(0.2)  # both registered before the device speaks
            device.write(b"T=225.0\r\n")
            assert a.read(9) == b"T=225.0\r\n"
            assert b.read(9) == b"T=225.0\r\n"
            a.write(b"A" * 100)
            b.write(b"B" * 100)
            got = device.read(200)
            assert sorted(got) == sorted(b"A" * 100 + b"B" * 100)
        finally:
            a.close()
            b.close()


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat not installed (scripts/bootstrap.sh test)")
def test_socat_as_a_peer(devbridge, device):
    with export(devbridge, device.link) as (_, port):
        socat = subprocess.Popen(["socat", "-", f"TCP:127.0.0.1:{port}"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            socat.stdin.write(b"from-socat\n")
            socat.stdin.flush()
            assert device.read(11) == b"from-socat\n"
            device.write(b"to-socat\n")
            assert socat.stdout.readline() == b"to-socat\n"
        finally:
            socat.kill()
            socat.wait()


def test_hangup_then_reopen_keeps_connected_clients(devbridge, tmp):
    first = Device(str(tmp / "dev"))
    with export(devbridge, first.link) as (_, port):
        client = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.3)
        first.write(b"before")
        assert recv_exactly(client, 6) == b"before"
        first.close()  # the device hangs up (unplug)
        time.sleep(0.3)
        second = Device(first.link)  # ...and comes back (same link, new tty)
        try:
            time.sleep(0.5)  # the export polls the path for the device
            second.write(b"after")
            assert recv_exactly(client, 5) == b"after"
            client.sendall(b"still-here")
            assert second.read(10) == b"still-here"
        finally:
            client.close()
            second.close()


def test_device_absent_at_start_is_waited_for(devbridge, tmp):
    link = str(tmp / "later")
    with export(devbridge, link, "--mode", "rfc2217") as (_, port):
        time.sleep(0.3)
        dev = Device(link)
        try:
            port_ = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=19200, timeout=3)
            assert wait_for(lambda: dev.baud() == 19200)
            dev.write(b"hi")
            assert port_.read(2) == b"hi"
            port_.close()
        finally:
            dev.close()


def test_a_client_that_never_reads_does_not_delay_another(devbridge, device):
    with export(devbridge, device.link, "--queue-bytes", "262144") as (process, port):
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", port))
        reader = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.3)
        total = 4 * 1024 * 1024
        received = bytearray()

        def read_all():
            reader.settimeout(5)
            while len(received) < total:
                chunk = reader.recv(1 << 20)
                if not chunk:
                    return
                received.extend(chunk)

        thread = threading.Thread(target=read_all)
        thread.start()
        block = bytes(range(256)) * 256
        for _ in range(total // len(block)):
            device.write(block)
        thread.join(timeout=20)
        assert len(received) == total
        assert bytes(received[: len(block)]) == block
        assert process.poll() is None
        stalled.close()
        reader.close()


def test_malformed_telnet_input_never_crashes_or_grows(devbridge, device):
    with export(devbridge, device.link, "--mode", "rfc2217") as (process, port):
        def rss():
            text = pathlib.Path(f"/proc/{process.pid}/status").read_text()
            return int(re.search(r"VmRSS:\s+(\d+)", text).group(1))

        bad = socket.create_connection(("127.0.0.1", port))
        bad.sendall(b"\xff\xfa\x2c\x01\x00")  # truncated IAC SB
        bad.sendall(b"\xff\xfb\x63\xff\xfd\x63" * 50)  # unknown option, asked again and again
        bad.sendall(b"\xff\xfa\x2c")  # an endless subnegotiation...
        time.sleep(0.2)
        before = rss()
        for _ in range(64):
            bad.sendall(b"\x01" * 65536)  # ...4 MiB of it
        time.sleep(0.3)
        assert process.poll() is None
        assert rss() - before < 4096  # kB: nothing of it is kept
        replies = recv_exactly(bad, 1 << 16, timeout=0.5)
        assert replies.count(b"\xff\xfe\x63") == 1 and replies.count(b"\xff\xfc\x63") == 1
        bad.close()
        good = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=38400, timeout=3)
        assert wait_for(lambda: device.baud() == 38400)
        good.close()


def test_attach_round_trip_with_baud_change_seen_on_the_host(devbridge, device, tmp):
    link = str(tmp / "guest-tty")
    with export(devbridge, device.link, "--mode", "rfc2217") as (_, port):
        attach = subprocess.Popen([str(devbridge), "attach", f"rfc2217://127.0.0.1:{port}", "--link", link],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert wait_for(lambda: os.path.exists(link))
            app = serial.Serial(link, baudrate=9600, timeout=3)
            app.baudrate = 115200
            assert wait_for(lambda: device.baud() == 115200)
            app.write(b"guest->host")
            assert device.read(11) == b"guest->host"
            device.write(b"host->guest")
            assert app.read(11) == b"host->guest"
            app.close()
            attach.terminate()  # SIGTERM: a graceful stop removes the link
            assert attach.wait(timeout=5) == 0
            assert not os.path.lexists(link)
        finally:
            if attach.poll() is None:
                attach.kill()


def test_attach_reconnects_and_keeps_the_pty(devbridge, device, tmp):
    link = str(tmp / "guest-tty")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attach = subprocess.Popen([str(devbridge), "attach", f"tcp://127.0.0.1:{port}", "--link", link],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: os.path.exists(link))
        app = serial.Serial(link, timeout=3)
        for round_ in range(2):
            process = subprocess.Popen(
                [str(devbridge), "export", device.link, "--listen", f"127.0.0.1:{port}"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                assert process.stdout.readline()
                time.sleep(1.5)  # reconnect backoff
                message = f"round {round_}\n".encode()
                device.write(message)
                assert app.read(len(message)) == message
            finally:
                process.terminate()
                process.wait(timeout=5)
        assert os.path.exists(link)
        app.close()
    finally:
        attach.terminate()
        attach.wait(timeout=5)


def test_non_loopback_bind_needs_tls_token_or_insecure(run, device):
    result = run("export", device.link, "--listen", "0.0.0.0:0", check=False)
    assert result.returncode != 0
    assert "--insecure" in result.stderr


def test_a_refused_export_leaves_an_existing_trace_alone(run, device, tmp):
    trace = tmp / "earlier-session.pcapng"
    trace.write_bytes(b"recorded earlier")
    result = run("export", device.link, "--listen", "0.0.0.0:0", "--trace", trace, check=False)
    assert result.returncode != 0
    assert "--insecure" in result.stderr
    assert trace.read_bytes() == b"recorded earlier"


def test_busy_poll_out_of_range_is_refused_with_the_range(run, device):
    result = run("export", device.link, "--listen", "127.0.0.1:0", "--busy-poll", "20000", check=False)
    assert result.returncode != 0
    assert "busy-poll must be between 0 and 10000 microseconds, got 20000" in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_tls_with_client_certificates_and_attach(devbridge, device, tmp):
    def make(name, *extra):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-days", "1", "-subj", f"/CN={name}", "-keyout", str(tmp / f"{name}.key"),
                        "-out", str(tmp / f"{name}.pem"), *extra], check=True, capture_output=True)

    make("server", "-addext", "subjectAltName=IP:127.0.0.1")
    make("client")
    args = ["--tls-cert", tmp / "server.pem", "--tls-key", tmp / "server.key", "--tls-client-ca", tmp / "client.pem"]
    with export(devbridge, device.link, "--mode", "rfc2217", *map(str, args)) as (process, port):
        # Without a client certificate the handshake fails and the device never sees data.
        context = ssl.create_default_context(cafile=str(tmp / "server.pem"))
        with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError)):
            with context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1") as s:
                s.sendall(b"x")
                s.recv(1)
        link = str(tmp / "guest-tls")
        attach = subprocess.Popen(
            [str(devbridge), "attach", f"rfc2217://127.0.0.1:{port}", "--link", link, "--tls-ca", str(tmp / "server.pem"),
             "--tls-cert", str(tmp / "client.pem"), "--tls-key", str(tmp / "client.key")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert wait_for(lambda: os.path.exists(link))
            app = serial.Serial(link, baudrate=4800, timeout=3)
            assert wait_for(lambda: device.baud() == 4800)
            app.write(b"secure")
            assert device.read(6) == b"secure"
            app.close()
        finally:
            attach.terminate()
            attach.wait(timeout=5)
        assert process.poll() is None


def test_trace_records_both_directions(devbridge, device, tmp, run):
    trace = tmp / "export.pcapng"
    with export(devbridge, device.link, "--trace", str(trace)) as (process, port):
        client = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.2)
        client.sendall(b"to-device")
        assert device.read(9) == b"to-device"
        device.write(b"from-device")
        assert recv_exactly(client, 11) == b"from-device"
        client.close()
        process.terminate()  # SIGTERM: the export closes the device, then the trace, then exits
        assert process.wait(timeout=5) == 0
    data = trace.read_bytes()
    assert data[:4] == b"\x0a\x0d\x0d\x0a"
    assert b"to-device" in data and b"from-device" in data
    shown = run("trace", "show", trace)
    assert shown.returncode == 0
    events = [line.split()[-1] for line in shown.stdout.splitlines() if " event " in line]
    assert events[0] == "open" and events[-1] == "hangup", shown.stdout


def test_rfc2217_flow_control_is_applied_to_the_host_tty(devbridge, device):
    """SET-CONTROL flow control reaches the tty through its device port (IXON on the slave)."""
    ixon = lambda: bool(termios.tcgetattr(device.slave)[0] & termios.IXON)  # noqa: E731
    with export(devbridge, device.link, "--mode", "rfc2217") as (_, port):
        client = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=9600, timeout=3)
        try:
            assert wait_for(lambda: device.baud() == 9600)
            client.xonxoff = True
            assert wait_for(ixon)
            client.xonxoff = False
            assert wait_for(lambda: not ixon())
        finally:
            client.close()
