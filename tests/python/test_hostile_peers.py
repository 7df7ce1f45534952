"""Hostile TCP peers against `devbridge export` (issue #15): connections that send random bytes
mixed with telnet and RFC 2217 fragments, and that vanish abruptly (RST) while the server
answers, must neither crash the export nor make its memory grow with the traffic.

Before the fix, rfc2217 mode died with SIGABRT ("Simultaneous accesses" in TelnetCodec) and
telnet mode's RSS grew with the volume sent. Only 127.0.0.1 is used; the flood is bounded in
bytes and connections."""
import contextlib
import os
import pathlib
import random
import re
import select
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest
import serial

from test_bridge import Device, export, wait_for

IAC, SB, SE, WILL, WONT, DO, DONT, BRK, NOP = 255, 250, 240, 251, 252, 253, 254, 243, 241
COM_PORT = 44


def hostile_chunk(rng: random.Random) -> bytes:
    """Random bytes with telnet and RFC 2217 fragments in them, some cut short."""
    parts = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.randrange(9)
        if kind == 0:
            parts.append(rng.randbytes(rng.randint(1, 2048)))
        elif kind == 1:
            parts.append(bytes([IAC, rng.choice([WILL, WONT, DO, DONT]), rng.randrange(256)]))
        elif kind == 2:  # a COM-PORT command, whole or truncated
            sub = bytes([IAC, SB, COM_PORT, rng.randrange(14)]) + rng.randbytes(rng.randint(0, 6))
            parts.append(sub + (bytes([IAC, SE]) if rng.random() < 0.7 else b""))
        elif kind == 3:
            parts.append(bytes([IAC, IAC]) * rng.randint(1, 64))
        elif kind == 4:
            parts.append(bytes([IAC, rng.choice([BRK, NOP, SE, SB])]))
        elif kind == 5:  # purge, flow control and control requests: the ones that flush replies
            parts.append(bytes([IAC, SB, COM_PORT, rng.choice([5, 8, 9, 12]), rng.randrange(20), IAC, SE]))
        elif kind == 6:
            parts.append(bytes([IAC, DO, COM_PORT, IAC, WILL, COM_PORT]))
        elif kind == 7:  # a long subnegotiation, beyond any bound
            parts.append(bytes([IAC, SB, rng.randrange(256)]) + rng.randbytes(rng.randint(300, 5000)))
        else:
            parts.append(bytes([IAC]))
    return b"".join(parts)


def rss_kib(pid: int) -> int:
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1))


class Drain(threading.Thread):
    """Reads the device's master side as fast as it can, so the export's device writes never back up."""

    def __init__(self, device: Device):
        super().__init__(daemon=True)
        self.device = device
        self.stopping = threading.Event()
        self.received = 0

    def run(self):
        while not self.stopping.is_set():
            ready, _, _ = select.select([self.device.master], [], [], 0.05)
            if ready:
                with contextlib.suppress(BlockingIOError, OSError):
                    self.received += len(os.read(self.device.master, 65536))


def flood(port: int, rng: random.Random, connections: int, chunks: int) -> int:
    """Opens `connections` hostile connections one after another; returns the bytes sent."""
    sent = 0
    for _ in range(connections):
        with contextlib.suppress(OSError):
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.setblocking(False)
            for _ in range(chunks):
                data = hostile_chunk(rng)
                with contextlib.suppress(BlockingIOError):
                    sent += sock.send(data)
                with contextlib.suppress(BlockingIOError):
                    sock.recv(65536)
            if rng.random() < 0.5:  # vanish with a reset while the server may still be answering
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
    return sent


def flood_for(port: int, seconds: float, workers: int = 3, seed: int = 15) -> int:
    """Floods from `workers` threads at once for `seconds`; returns the bytes sent."""
    end = time.monotonic() + seconds
    sent = [0] * workers

    def work(index):
        rng = random.Random(seed * 100 + index)
        while time.monotonic() < end:
            sent[index] += flood(port, rng, connections=5, chunks=50)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(sent)


@pytest.fixture
def device():
    with tempfile.TemporaryDirectory(prefix="devbridge-hostile-") as directory:
        dev = Device(str(pathlib.Path(directory) / "dev"))
        drain = Drain(dev)
        drain.start()
        yield dev, drain
        drain.stopping.set()
        drain.join()
        with contextlib.suppress(OSError):
            dev.close()


def wait_until_drained(drain: Drain, timeout: float = 60.0) -> bool:
    """Waits until the export has written all it queued for the device: nothing new reaches the
    device's side for half a second. False when the deadline passes first."""
    end = time.monotonic() + timeout
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < end:
        if drain.received != last:
            last, quiet_since = drain.received, time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:
            return True
        time.sleep(0.05)
    return False


def export_state(pid: int, port: int) -> str:
    """What a failure report needs to tell a stuck event loop from a full accept queue: descriptors,
    the listener's queue, connections, and each thread's state and CPU time."""
    threads = []
    for task in sorted(pathlib.Path(f"/proc/{pid}/task").iterdir()):
        with contextlib.suppress(OSError):
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            name = (task / "comm").read_text().strip()
            threads.append(f"{name}:{fields[0]} cpu={int(fields[11]) + int(fields[12])} wchan={(task / 'wchan').read_text()}")
    def ss(*args):
        return subprocess.run(["ss", "-tn", *args, f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return (f"open descriptors: {len(os.listdir(f'/proc/{pid}/fd'))}; "
            f"listener: {ss('state', 'listening').strip().splitlines()[-1:]}; "
            f"established: {ss('state', 'established').count(chr(10)) - 1}; "
            f"threads: {threads}" + (subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 30"], capture_output=True, text=True).stdout if os.environ.get("HANG_GDB") else ""))


@pytest.mark.parametrize("mode", ["rfc2217", "telnet", "raw"])
def test_hostile_clients_neither_crash_nor_grow_the_export(devbridge, device, mode):
    dev, drain = device
    with export(devbridge, dev.link, "--mode", mode) as (process, port):
        flood_for(port, 3)  # warm-up: allocator pools and buffers at their working size
        assert wait_until_drained(drain)
        assert process.poll() is None, process.stderr.read()
        before = rss_kib(process.pid)
        # Before the fix, telnet mode grew by about 2 MiB a second here.
        sent = flood_for(port, 25)
        assert process.poll() is None, f"the export died (exit {process.returncode}): {process.stderr.read()}"
        assert sent > 16 << 20, f"the flood sent only {sent} bytes"
        grown = rss_kib(process.pid) - before
        assert grown < 16 << 10, f"RSS grew by {grown} KiB during {sent >> 20} MiB of hostile input"
        assert wait_until_drained(drain), "the export kept writing to the device for a minute"
        assert drain.received > 0
        # And it still serves well-behaved clients.
        if mode == "rfc2217":
            client = serial.serial_for_url(f"rfc2217://127.0.0.1:{port}", baudrate=19200, timeout=3)
            assert wait_for(lambda: dev.baud() == 19200)
            client.close()
        started = time.monotonic()
        try:
            good_socket = socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError as error:
            raise AssertionError(f"a new client could not connect: {error}; {export_state(process.pid, port)}") from error
        with contextlib.closing(good_socket) as good:
            good.settimeout(0.1)
            seen = b""
            while time.monotonic() - started < 30:  # the device speaks until the new client hears it
                dev.write(b"pong\n")
                with contextlib.suppress(socket.timeout):
                    seen += good.recv(4096)
                if b"pong" in seen:
                    break
            print(f"{mode}: a new client heard the device after {time.monotonic() - started:.2f} s")
            assert b"pong" in seen, export_state(process.pid, port)
