"""`devbridge sim` read by pyserial, a real third-party client, the way a smoker app would."""
import json
import re
import subprocess
import time

import pytest
import serial


class Sim:
    """A running `devbridge sim` process with its link path."""

    def __init__(self, devbridge, tmp_path, *args):
        self.link = str(tmp_path / "ttyUSB0")
        self.process = subprocess.Popen(
            [str(devbridge), "sim", *args, "--link", self.link],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        banner = []
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stdout.readline()
            banner.append(line)
            if line.strip().startswith("link:"):
                break
        text = "".join(banner)
        assert re.search(r"pty:\s+/dev/pts/\d+", text), text
        assert self.link in text, text

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def stop(self):
        self.process.send_signal(subprocess.signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def sim(devbridge, tmp_path):
    running = []

    def start(*args):
        s = Sim(devbridge, tmp_path, *args)
        running.append(s)
        return s

    yield start
    for s in running:
        if s.process.poll() is None:
            s.stop()


def smart_smoker_consumer_parse(raw: bytes) -> dict:
    """The Smart Smoker app's rules: a JSON line with all four keys, values as strings."""
    data = json.loads(raw.decode("ascii"))
    for key in ("Meat", "Meat2", "Meat3", "Chamber"):
        assert key in data, f"missing {key} in {raw!r}"
        assert isinstance(data[key], str), f"{key} is not a string in {raw!r}"
    return data


def test_pyserial_reads_ten_smart_smoker_lines(sim, tmp_path):
    s = sim("smoker-brisket", "--speed", "10")
    with serial.Serial(s.link, 9600, timeout=10) as port:
        port.readline()  # the first line after open may be partial, as on real hardware
        lines = [port.readline() for _ in range(10)]
    assert all(line.endswith(b"\r\n") for line in lines), lines
    parsed = [smart_smoker_consumer_parse(line) for line in lines]
    chamber = [float(p["Chamber"]) for p in parsed]
    assert all(30 < c < 400 for c in chamber), chamber
    assert s.stop() == 0
    assert not (tmp_path / "ttyUSB0").exists(), "SIGINT must remove the link"


def test_stdin_event_reaches_the_running_simulation(sim):
    s = sim("smoker-brisket", "--speed", "60", "--protocol", "heatermeter")
    with serial.Serial(s.link, 38400, timeout=10) as port:
        port.readline()
        s.send("setpoint 275F")
        deadline = time.time() + 15
        seen = False
        while time.time() < deadline and not seen:
            line = port.readline().decode("ascii", "replace")
            seen = line.startswith("$HMSU,275,")
    assert seen, "setpoint from stdin never showed in the status line"


def test_reopen_many_times_with_pyserial(sim):
    s = sim("smoker-brisket", "--speed", "max")
    for _ in range(20):
        with serial.Serial(s.link, 9600, timeout=10) as port:
            port.readline()
            smart_smoker_consumer_parse(port.readline())


def test_a_second_opener_closing_does_not_silence_the_first(sim):
    """An app holds the port while something else opens and closes it (`stty -F`, a second tool):
    the app keeps getting lines. inotify merges two quick opens into one event, and the close that
    followed used to look like the last one, so every later byte was dropped (guest scenario 2's
    flake, issue 15)."""
    import os

    s = sim("smoker-brisket", "--speed", "60", "--no-reset-on-open")
    with serial.Serial(s.link, 9600, timeout=0.2) as app:
        for _ in range(30):  # open right behind the app's own open, as `stty -F` in a script does
            os.close(os.open(s.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK))
        app.reset_input_buffer()  # only lines the device writes from now on count
        data = b""
        deadline = time.monotonic() + 15
        while data.count(b"\n") < 6 and time.monotonic() < deadline:
            data += app.read(4096)
        assert data.count(b"\n") >= 6, f"the app stopped hearing the device: {data!r}"
