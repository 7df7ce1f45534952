"""`devbridge serve` as an operator sees it: config errors, SIGHUP reload, graceful shutdown with
traces, process isolation with crash restarts, and the systemd unit's hardening score."""
import os
import select
import signal
import struct
import subprocess
import time

from test_service_support import serve  # noqa: F401  (fixture)


def test_config_errors_name_file_line_and_key(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("devices:\n  smoker:\n    profile: smoker-brisket\n    sped: 60\n")
    result = run("serve", "--config", bad, "--check", check=False)
    assert result.returncode != 0
    assert f"{bad}:4:5: devices.smoker.sped: unknown key 'sped' (did you mean 'speed'?)" in result.stderr


def test_check_accepts_the_embedded_default_and_the_examples(run):
    result = run("serve", "--print-default")
    assert "smart-smoker" in result.stdout and "127.0.0.1:7001" in result.stdout
    result = run("serve", "--check")
    assert "<embedded default>: OK (2 devices" in result.stdout, result.stdout
    for example in ["config/devbridge.yaml", "config/process-isolation.yaml"]:
        result = run("serve", "--config", example, "--check")
        assert "OK" in result.stdout, result.stdout


def test_sighup_reload_keeps_unchanged_devices(serve, tmp_path):
    def devices(speed_b, with_c):
        text = (
            "devices:\n"
            f"  a: {{profile: smoker-brisket, link: {tmp_path}/a, reset_on_open: false}}\n"
            f"  b: {{profile: smoker-ribs-321, link: {tmp_path}/b, speed: {speed_b}}}\n"
        )
        if with_c:
            text += f"  c: {{profile: smoker-fuel-out, link: {tmp_path}/c}}\n"
        return text

    service = serve(devices(1, False))
    service.post("/control/devices/a/clock/advance", {"duration": "2h"}, expect=200)
    service.post("/control/devices/b/clock/advance", {"duration": "2h"}, expect=200)
    pty_a = service.device("a")["pty"]
    service.write_config(devices(60, True))
    service.process.send_signal(signal.SIGHUP)
    service.wait_for(lambda: service.get("/control/devices/c")[0] == 200, what="device c after SIGHUP")
    service.wait_for(lambda: service.device("c")["status"] == "running", what="c running")
    a = service.device("a")
    b = service.device("b")
    assert a["time"] >= 7200 and a["pty"] == pty_a, "a was not touched"
    assert b["time"] < 7200 and b["clock"]["speed"] == 60, "b restarted with its new speed"
    assert os.path.islink(tmp_path / "c")
    service.write_config(devices(60, False))
    _, summary = service.post("/control/reload", expect=200)
    assert summary["stopped"] == ["c"] and sorted(summary["unchanged"]) == ["a", "b"]
    assert not os.path.lexists(tmp_path / "c")


def read_pcapng_payloads(path):
    """(direction flags, payload) of every enhanced packet block in a pcapng file (little-endian)."""
    data = path.read_bytes()
    packets = []
    offset = 0
    while offset + 12 <= len(data):
        block_type, length = struct.unpack_from("<II", data, offset)
        if length < 12 or offset + length > len(data):
            break
        if block_type == 6:
            captured = struct.unpack_from("<I", data, offset + 20)[0]
            payload = data[offset + 28: offset + 28 + captured]
            options = data[offset + 28 + ((captured + 3) & ~3): offset + length - 4]
            flags = 0
            o = 0
            while o + 4 <= len(options):
                code, olen = struct.unpack_from("<HH", options, o)
                if code == 0:
                    break
                if code == 2 and olen == 4:
                    flags = struct.unpack_from("<I", options, o + 4)[0]
                o += 4 + ((olen + 3) & ~3)
            packets.append((flags & 3, payload))
        offset += length
    return packets


def test_graceful_shutdown_keeps_every_recorded_byte(serve, tmp_path):
    trace = tmp_path / "smoker.pcapng"
    link = tmp_path / "smoker"
    service = serve(
        "devices:\n"
        f"  smoker: {{profile: smoker-brisket, link: {link}, speed: 60, reset_on_open: false, trace: {trace}}}\n"
    )
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    received = bytearray()
    try:
        os.write(fd, b"hello device\n")
        deadline = time.time() + 2
        while time.time() < deadline:
            if select.select([fd], [], [], 0.05)[0]:
                received += os.read(fd, 65536)
        assert service.stop() == 0
        while select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
    finally:
        os.close(fd)
    assert not os.path.lexists(link), "the PTY link is removed"
    packets = read_pcapng_payloads(trace)
    out = b"".join(p for d, p in packets if d == 2)
    inbound = b"".join(p for d, p in packets if d == 1)
    assert len(received) > 500
    assert out.startswith(bytes(received)), "every byte the client read is in the trace, in order"
    assert b"hello device" in inbound
    assert "all devices stopped" in service.text()


def test_a_crashing_process_device_restarts_while_others_continue(serve, tmp_path):
    service = serve(
        "devices:\n"
        f"  isolated:\n"
        f"    profile: smoker-brisket\n    link: {tmp_path}/isolated\n    speed: 60\n"
        f"    isolation: process\n    limits: {{memory: 512M, cpu: 1h, restart_backoff: 200ms}}\n"
        f"  steady: {{profile: smoker-ribs-321, link: {tmp_path}/steady, speed: 60}}\n"
    )
    first = service.wait_for(
        lambda: (d := service.device("isolated"))["status"] == "running" and d.get("pid") and d, what="child running")
    assert first["isolation"] == "process" and first["restarts"] == 0
    status = open(f"/proc/{first['pid']}/limits").read()
    assert "Max cpu time" in status and "3600" in status.split("Max cpu time")[1].split("\n")[0]
    steady_before = service.device("steady")["counters"]["linesWritten"]
    _, accepted = service.post("/control/devices/isolated/events", {"command": "lid_open duration=30s"})
    os.kill(first["pid"], signal.SIGKILL)
    again = service.wait_for(
        lambda: (d := service.device("isolated"))["status"] == "running" and d.get("pid") not in (None, first["pid"]) and d,
        what="restart after the crash")
    assert again["restarts"] == 1
    assert os.readlink(tmp_path / "isolated").startswith("/dev/pts/")
    steady = service.device("steady")
    assert steady["status"] == "running" and steady["counters"]["linesWritten"] > steady_before
    _, metrics = service.get("/metrics", expect=200)
    assert 'devbridge_device_restarts_total{device="isolated"} 1' in metrics
    service.post("/control/devices/isolated/events", {"command": "wrap meat1"}, expect=202)
    service.post("/control/devices/isolated/clock/pause", expect=200)
    assert service.stop() == 0
    assert not os.path.lexists(tmp_path / "isolated")
    assert not os.path.exists(f"/proc/{again['pid']}") or open(f"/proc/{again['pid']}/stat").read().split()[2] == "Z"


def test_a_process_device_shows_live_readings_and_takes_clock_control(serve, tmp_path):
    """isolation: process used to answer 409 to clock control and show no readings (issue 15)."""
    service = serve(
        "devices:\n"
        f"  isolated:\n    profile: smoker-brisket\n    link: {tmp_path}/isolated\n    speed: 60\n"
        "    isolation: process\n"
    )
    live = service.wait_for(
        lambda: (d := service.device("isolated"))["status"] == "running" and d.get("time") is not None and d,
        what="the child's first status report")
    assert live["model"] == "smoker"
    readings = {c["name"]: c for c in live["channels"]}
    assert readings and any(c["value"] is not None for c in readings.values()), live["channels"]
    assert live["clock"] == {"speed": 60, "paused": False}
    assert live["counters"] is not None and live["outputs"]
    started = live["time"]
    service.wait_for(lambda: service.device("isolated")["time"] > started + 30, what="virtual time running at 60x")

    _, paused = service.post("/control/devices/isolated/clock/pause", expect=200)
    assert paused["clock"]["paused"] is True
    # Paused, the clock moves only when told to: an hour at once.
    before_advance = service.device("isolated")["time"]
    service.post("/control/devices/isolated/clock/advance", {"duration": "1h"}, expect=200)
    jumped = service.wait_for(
        lambda: (t := service.device("isolated")["time"]) >= before_advance + 3600 and t, what="the advance")
    moved = service.wait_for(lambda: service.device("isolated")["time"] > jumped + 5, timeout=2.5,
                             what="time held by the pause", fail=False)
    assert not moved, "virtual time ran on while paused"

    _, faster = service.post("/control/devices/isolated/clock/speed", {"speed": 120}, expect=200)
    assert faster["clock"]["speed"] == 120
    service.post("/control/devices/isolated/clock/resume", expect=200)
    service.wait_for(lambda: (d := service.device("isolated"))["clock"] == {"speed": 120, "paused": False}
                     and d["time"] > jumped + 60, what="the clock running again at 120x")
    service.post("/control/devices/isolated/clock/speed", {"speed": -1}, expect=400)
    assert service.stop() == 0


def test_systemd_unit_exposure_is_at_most_2_5(capsys):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([os.path.join(root, "scripts", "check-systemd-unit.sh")], capture_output=True, text=True)
    with capsys.disabled():
        print("\n" + (result.stdout or result.stderr).strip())
    assert result.returncode == 0, result.stderr


def test_a_second_service_on_a_taken_port_fails_before_touching_devices(serve, run, tmp_path):
    service = serve(f"devices:\n  s: {{profile: smoker-brisket, link: {tmp_path}/s}}\n")
    pty = service.device("s")["pty"]
    result = run("serve", "--config", service.config, check=False)
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{service.port}" in result.stderr
    assert os.readlink(tmp_path / "s") == pty, "the running service keeps its link"
