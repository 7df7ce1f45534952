"""Driver for bench/serial-bridge.sh: see there. Figures are printed, never asserted.

Each bridge is measured `--rounds` times, the bridges taking turns within a
round, and the table shows each figure's median, so a burst of load from
elsewhere on the machine moves one sample rather than one bridge's row.
CPU time is read in nanoseconds from /proc/PID/task/*/schedstat (clock-tick
accounting in /proc/PID/stat is too coarse for a few hundred milliseconds).
"""
import argparse
import contextlib
import multiprocessing
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time


class PtyDevice:
    """A PTY whose master echoes (mode 'echo') or counts (mode 'sink') what the bridge writes.

    The device runs in a process of its own, as a real device would: sharing the client's
    interpreter (and its GIL) would add the client's scheduling to every round trip.
    """

    def __init__(self, link, mode):
        self.master, self.slave = os.openpty()
        self.link = link
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.symlink(os.ttyname(self.slave), link)
        context = multiprocessing.get_context("fork")
        self._received = context.RawValue("q", 0)
        self._stop = context.Event()
        self.process = context.Process(target=self.run, args=(mode,), daemon=True)
        self.process.start()

    @property
    def received(self):
        return self._received.value

    def run(self, mode):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            self._received.value += len(data)
            if mode == "echo":
                os.write(self.master, data)

    def close(self):
        self._stop.set()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        os.close(self.master)
        os.close(self.slave)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, timeout=5.0):
    end = time.monotonic() + timeout
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except ConnectionRefusedError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def cpu_seconds(pid):
    """CPU time of every live thread of `pid`, in seconds."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(FileNotFoundError):
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
    return total / 1e9


def round_trips(sock, count):
    samples = []
    sock.settimeout(5)
    for i in range(count):
        byte = bytes([i & 0x7F])
        start = time.perf_counter_ns()
        sock.sendall(byte)
        got = sock.recv(1)
        samples.append((time.perf_counter_ns() - start) / 1000)
        if got != byte:
            raise RuntimeError("echo mismatch")
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def bridges(devbridge, tmp):
    """name -> function(device_link, port) returning the argv of a bridge."""
    out = {
        "devbridge export": lambda link, port: [devbridge, "export", link, "--listen", f"127.0.0.1:{port}"],
        "devbridge export --busy-poll 0": lambda link, port: [
            devbridge, "export", link, "--listen", f"127.0.0.1:{port}", "--busy-poll", "0"],
        "devbridge export --trace": lambda link, port: [
            devbridge, "export", link, "--listen", f"127.0.0.1:{port}",
            "--trace", os.path.join(tmp, f"trace-{port}.pcapng")],
    }
    if shutil.which("socat"):
        out["socat"] = lambda link, port: [
            "socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,nodelay", f"FILE:{link},raw,echo=0"]
    if shutil.which("ser2net"):
        def ser2net(chardelay):
            def argv(link, port):
                config = os.path.join(tmp, f"ser2net-{port}.yaml")
                with open(config, "w") as f:
                    f.write(
                        "connection: &bench\n"
                        f"  accepter: tcp,127.0.0.1,{port}\n"
                        f"  connector: serialdev,{link},115200n81,local\n"
                        "  options:\n"
                        f"    chardelay: {'true' if chardelay else 'false'}\n")
                return ["ser2net", "-n", "-d", "-c", config, "-P", os.path.join(tmp, f"ser2net-{port}.pid")]
            return argv
        out["ser2net (default)"] = ser2net(True)
        out["ser2net (chardelay: false)"] = ser2net(False)
    return out


def measure(name, make_argv, tmp, rtt_count, megabytes):
    result = {}
    for mode in ("echo", "sink"):
        link = os.path.join(tmp, f"dev-{mode}")
        device = PtyDevice(link, mode)
        port = free_port()
        process = subprocess.Popen(make_argv(link, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            sock = connect(port)
            time.sleep(0.3)
            if mode == "echo":
                round_trips(sock, 50)  # warm-up
                result["p50"], result["p99"] = round_trips(sock, rtt_count)
            else:
                block = b"\x55" * 65536
                total = megabytes * 1024 * 1024
                cpu_before = cpu_seconds(process.pid)
                start = time.perf_counter()
                sent = 0
                while sent < total:
                    sock.sendall(block)
                    sent += len(block)
                while device.received < total and time.perf_counter() - start < 60:
                    time.sleep(0.001)
                elapsed = time.perf_counter() - start
                cpu = cpu_seconds(process.pid) - cpu_before
                mb = device.received / (1024 * 1024)
                result["mbps"] = mb / elapsed
                result["cpu_per_mb"] = cpu / mb if mb else float("nan")
            sock.close()
        except Exception as error:  # report and keep going with the other bridges
            result.setdefault("error", f"{mode}: {error}")
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            if process.poll() is None:
                process.kill()
                result["warning"] = "still running 5 s after SIGTERM (killed)"
            device.close()
    return result


def median(rows, key):
    values = sorted(r[key] for r in rows if key in r)
    return values[len(values) // 2] if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devbridge", required=True)
    parser.add_argument("--round-trips", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="measurements per bridge; the table shows medians")
    parser.add_argument("--only", action="append", help="measure only bridges whose name contains this (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="devbridge-bench-") as tmp:
        candidates = bridges(args.devbridge, tmp)
        if args.only:
            candidates = {k: v for k, v in candidates.items() if any(o in k for o in args.only)}
        samples = {name: [] for name in candidates}
        for round_number in range(args.rounds):
            print(f"round {round_number + 1}/{args.rounds}", file=sys.stderr, flush=True)
            for name, make_argv in candidates.items():
                samples[name].append(measure(name, make_argv, tmp, args.round_trips, args.megabytes))
    print(
        f"serial bridge over TCP, PTY device, {args.round_trips} round trips, {args.megabytes} MiB one-way, "
        f"median of {args.rounds} rounds")
    print(f"{'bridge':<28} {'RTT p50 µs':>11} {'RTT p99 µs':>11} {'MB/s':>8} {'CPU s/MB':>10}")
    for name, rows in samples.items():
        good = [r for r in rows if "error" not in r]
        errors = [r["error"] for r in rows if "error" in r]
        if not good:
            print(f"{name:<28} error: {errors[0]}")
            continue
        print(
            f"{name:<28} {median(good, 'p50'):>11.0f} {median(good, 'p99'):>11.0f} "
            f"{median(good, 'mbps'):>8.1f} {median(good, 'cpu_per_mb'):>10.4f}"
            + (f"  ({len(errors)} failed rounds: {errors[0]})" if errors else ""))
    if "socat" in samples:
        print("paired with socat in the same round (median of per-round ratios; socat = 1.00):")
        for name, rows in samples.items():
            if not name.startswith("devbridge"):
                continue
            ratios = {}
            for key in ("p50", "mbps", "cpu_per_mb"):
                pairs = [
                    r[key] / peer[key] for r, peer in zip(rows, samples["socat"])
                    if key in r and key in peer and peer[key]]
                ratios[key] = sorted(pairs)[len(pairs) // 2] if pairs else float("nan")
            print(
                f"  {name:<26} RTT p50 ×{ratios['p50']:.2f}   MB/s ×{ratios['mbps']:.2f}   "
                f"CPU s/MB ×{ratios['cpu_per_mb']:.2f}")
    for name, rows in samples.items():
        warnings = sorted({r["warning"] for r in rows if "warning" in r})
        for warning in warnings:
            print(f"warning: {name}: {warning}")


if __name__ == "__main__":
    main()
