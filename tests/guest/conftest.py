"""Fixtures for the guest end-to-end tests: the guest build, host-side devbridge
processes on 127.0.0.1, and a QEMU boot that returns the guest's console log."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import build_guest  # noqa: E402

QEMU = shutil.which("qemu-system-x86_64")
BOOT_TIMEOUT = float(os.environ.get("GUEST_BOOT_TIMEOUT", "240"))
MARKER = re.compile(r"DEVBRIDGE-GUEST-RESULT (PASS|FAIL) (\S+) ?(.*)")


def qemu_problem() -> str | None:
    """Why QEMU cannot run here at all, or None."""
    if QEMU is None:
        return "qemu-system-x86_64 is not installed (scripts/bootstrap.sh test installs qemu-system-x86)"
    try:
        probe = subprocess.run(
            [QEMU, "-accel", "tcg", "-machine", "none", "-display", "none", "-nodefaults", "-S", "-qmp", "stdio"],
            input='{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n', capture_output=True, text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"qemu-system-x86_64 cannot run: {error}"
    if probe.returncode != 0:
        return f"qemu-system-x86_64 cannot run: {probe.stderr.strip()[:300]}"
    return None


def pytest_collection_modifyitems(config, items):
    problem = qemu_problem()
    if problem:
        print(f"\nGUEST TESTS SKIPPED: {problem}\n", file=sys.stderr)
        marker = pytest.mark.skip(reason=f"GUEST TESTS SKIPPED: {problem}")
        for item in items:
            item.add_marker(marker)


@pytest.fixture(scope="session")
def devbridge() -> pathlib.Path:
    """The devbridge binary for the host and the guest.

    Default: the debug build in .build (what `make test` has just built; the
    guest gets the Swift shared libraries ldd lists). GUEST_STATIC=1 builds one
    with the Swift runtime linked statically in .build-guest/swift instead;
    GUEST_DEVBRIDGE=PATH uses a given binary.
    """
    override = os.environ.get("GUEST_DEVBRIDGE")
    if override:
        return pathlib.Path(override).resolve()
    args = ["swift", "build", "--product", "devbridge"]
    if os.environ.get("GUEST_STATIC") == "1":
        args += ["--static-swift-stdlib", "--scratch-path", str(ROOT / ".build-guest" / "swift")]
    subprocess.run(args, cwd=ROOT, check=True)
    bin_dir = subprocess.run(args + ["--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.strip()
    return pathlib.Path(bin_dir) / "devbridge"


@pytest.fixture(scope="session")
def guest(devbridge) -> pathlib.Path:
    """Directory with vmlinuz and initramfs.cpio.gz (cached by input hash)."""
    started = time.monotonic()
    path = build_guest.build(devbridge, ROOT / ".build-guest")
    print(f"guest: {path} ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    return path


class HostProcess:
    """A devbridge process on the host; its stdout/stderr go to files for the failure report."""

    def __init__(self, devbridge: pathlib.Path, args: list, workdir: pathlib.Path, name: str):
        self.name = name
        self.args = [str(devbridge), *map(str, args)]
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=open(self.out_path, "w"), stderr=open(self.err_path, "w"),
                                     cwd=ROOT)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match:
        """Waits for a stdout line matching pattern; returns the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in self.out_path.read_text().splitlines():
                match = regex.search(line)
                if match:
                    return match
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: no line matching {pattern!r}\n{self.report()}")

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def report(self) -> str:
        return (f"--- {self.name}: {' '.join(self.args)} (exit {self.proc.poll()})\n"
                f"stdout:\n{self.out_path.read_text(errors='replace')}\nstderr:\n{self.stderr()[-4000:]}")

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def host(devbridge, tmp_path):
    """Starts host-side devbridge processes: host(name, *args) -> HostProcess; all stopped at the end."""
    procs: list[HostProcess] = []

    def start(name: str, *args) -> HostProcess:
        proc = HostProcess(devbridge, list(args), tmp_path, name)
        procs.append(proc)
        return proc

    start.procs = procs
    yield start
    for proc in reversed(procs):
        proc.stop()


class Boot:
    """One guest boot's outcome."""

    def __init__(self, console: str, seconds: float, command: list[str], host_report: str):
        self.console = console
        self.seconds = seconds
        self.command = command
        self.host_report = host_report
        markers = MARKER.findall(console)
        self.result, self.reason = (markers[-1][0], markers[-1][2]) if markers else ("NONE", "no result marker")

    def lines(self) -> list[str]:
        return [line.split("GUEST-LINE ", 1)[1].rstrip("\r") for line in self.console.splitlines()
                if "GUEST-LINE " in line]

    def hex_bytes(self) -> bytes:
        return bytes.fromhex("".join(line.split("GUEST-HEX ", 1)[1].strip() for line in self.console.splitlines()
                                     if "GUEST-HEX " in line))

    def failure(self, what: str) -> str:
        return (f"{what}\nguest result: {self.result} {self.reason} ({self.seconds:.1f} s)\n"
                f"qemu: {' '.join(self.command)}\n{self.host_report}\n"
                f"=== guest console log ===\n{self.console}\n=== end of guest console log ===")


@pytest.fixture
def boot(guest, tmp_path, host):
    """boot(scenario, qemu_args, **cmdline) -> Boot: boots the guest until it powers off."""

    def _boot(scenario: str, qemu_args: list[str], **cmdline) -> Boot:
        console = tmp_path / f"console-{scenario}.log"
        params = " ".join(f"devbridge.{k}={v}" for k, v in {"scenario": scenario, **cmdline}.items())
        command = [
            QEMU, "-accel", "tcg", "-m", "512", "-smp", "1", "-display", "none", "-nodefaults", "-no-user-config",
            "-no-reboot", "-kernel", str(guest / "vmlinuz"), "-initrd", str(guest / "initramfs.cpio.gz"),
            "-append", f"console=ttyS0 quiet panic=-1 {params}",
            "-serial", f"file:{console}", *qemu_args,
        ]
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            qemu_out, _ = proc.communicate(timeout=BOOT_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            qemu_out, _ = proc.communicate()
            qemu_out += f"\n(qemu killed after {BOOT_TIMEOUT:.0f} s)"
        seconds = time.monotonic() - started
        text = console.read_text(errors="replace") if console.exists() else ""
        if qemu_out.strip():
            text += f"\n--- qemu output (exit {proc.returncode}) ---\n{qemu_out}"
        report = "\n".join(p.report() for p in host.procs)
        result = Boot(text, seconds, command, report)
        print(f"guest scenario {scenario}: {result.result} {result.reason} ({seconds:.1f} s boot)", file=sys.stderr)
        return result

    return _boot
