#!/usr/bin/env python3
"""Builds (or reuses) the guest for the end-to-end tests: a Debian kernel and an initramfs.

The initramfs holds busybox, the kernel modules the scenarios need (with their
dependencies, in load order), the devbridge binary with the shared libraries it
links, and tests/guest/init.sh as /init. The result is cached under
.build-guest/guest/<hash>/ keyed by a hash of every input, so a rerun with the
same kernel package, busybox, devbridge binary and init script costs nothing.

    tests/guest/build_guest.py --devbridge PATH [--cache DIR]   # prints the guest directory

Inputs it expects (scripts/bootstrap.sh test provides them):
- busybox-static (/bin/busybox, statically linked),
- a linux-image-*-amd64 .deb in .build-guest/debs/ (fetched with `apt-get download`, never installed).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
CACHE = ROOT / ".build-guest"

# What the scenarios need: virtio-serial (scenario 2) and an xHCI controller with
# the FTDI USB serial driver that backs QEMU's usb-serial (scenario 3). 8250
# serial ports (ttyS0 console, ttyS1) and devtmpfs are built into Debian's kernel.
MODULES = ["virtio_pci", "virtio_console", "xhci_pci", "ftdi_sio"]
LAYOUT_VERSION = "1"  # bump when the initramfs layout changes


def log(message: str) -> None:
    print(f"build_guest: {message}", file=sys.stderr, flush=True)


def find_kernel_deb(cache: pathlib.Path) -> pathlib.Path:
    debs = sorted((cache / "debs").glob("linux-image-*-amd64_*.deb"))
    if not debs:
        raise SystemExit(
            "build_guest: no linux-image-*-amd64 .deb in .build-guest/debs/ (run scripts/bootstrap.sh test)"
        )
    return debs[-1]


def sha256_file(path: pathlib.Path, digest: "hashlib._Hash") -> None:
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)


def shared_libraries(binary: pathlib.Path) -> list[pathlib.Path]:
    """The shared libraries `ldd` lists for binary, including the dynamic loader."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libs = []
    for line in out.splitlines():
        line = line.strip()
        match = re.search(r"=>\s*(/\S+)", line) or re.match(r"(/\S+)", line)
        if match:
            libs.append(pathlib.Path(match.group(1)))
    return libs


def module_index(modroot: pathlib.Path) -> dict[str, pathlib.Path]:
    """Module name (with _ for -) -> .ko path."""
    index = {}
    for ko in modroot.rglob("*.ko"):
        index[ko.name[:-3].replace("-", "_")] = ko
    return index


def module_depends(ko: pathlib.Path) -> list[str]:
    """The `depends=` entry of a module's .modinfo section (no modinfo tool needed)."""
    data = ko.read_bytes()
    match = re.search(rb"(?:^|\x00)depends=([^\x00]*)", data)
    if not match or not match.group(1):
        return []
    return [name.decode().replace("-", "_") for name in match.group(1).split(b",") if name]


def load_order(wanted: list[str], index: dict[str, pathlib.Path]) -> list[str]:
    """Modules in dependency order (dependencies first), built-ins skipped."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        if name not in index:
            return  # built into the kernel
        for dep in module_depends(index[name]):
            visit(dep)
        order.append(name)

    for name in wanted:
        visit(name)
    return order


def stripped(path: pathlib.Path, tmp: pathlib.Path) -> bytes:
    """The file without debug information (smaller initramfs, faster boot); as is without strip(1)."""
    strip = shutil.which("strip")
    if strip is None:
        return path.read_bytes()
    out = tmp / "stripped"
    subprocess.run([strip, "--strip-debug", "-o", str(out), str(path)], check=True)
    data = out.read_bytes()
    out.unlink()
    return data


def cpio_newc(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A newc cpio archive of (path, mode, data) entries (symlinks: data is the target)."""
    out = io.BytesIO()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], start=1):
        encoded = name.encode() + b"\x00"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        out.write(b"070701" + b"".join(f"{v:08X}".encode() for v in fields))
        out.write(encoded)
        out.write(b"\x00" * (-(110 + len(encoded)) % 4))
        out.write(data)
        out.write(b"\x00" * (-len(data) % 4))
    return out.getvalue()


def build(devbridge: pathlib.Path, cache: pathlib.Path) -> pathlib.Path:
    deb = find_kernel_deb(cache)
    busybox = pathlib.Path(shutil.which("busybox") or "/bin/busybox")
    init = HERE / "init.sh"
    libs = shared_libraries(devbridge)

    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    for path in [deb, busybox, init, devbridge, *libs, pathlib.Path(__file__)]:
        digest.update(str(path).encode())
        sha256_file(path.resolve(), digest)
    key = digest.hexdigest()[:16]
    guest = cache / "guest" / key
    if (guest / "initramfs.cpio.gz").exists() and (guest / "vmlinuz").exists():
        log(f"cached guest {guest}")
        return guest

    log(f"building guest {key} from {deb.name}")
    kroot = cache / "kernel" / deb.stem
    if not (kroot / ".unpacked").exists():
        shutil.rmtree(kroot, ignore_errors=True)
        kroot.mkdir(parents=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(kroot)], check=True)
        (kroot / ".unpacked").touch()
    vmlinuz = next((kroot / "boot").glob("vmlinuz-*"))
    release = vmlinuz.name[len("vmlinuz-"):]
    modroot = kroot / "lib" / "modules" / release
    index = module_index(modroot)
    order = load_order(MODULES, index)
    log(f"kernel {release}; modules: {' '.join(order)}")

    dirs = ["bin", "sbin", "dev", "proc", "sys", "tmp", "run", "lib", "lib64", "usr", "usr/bin", "usr/lib",
            "lib/modules", "etc"]
    entries: list[tuple[str, int, bytes]] = [(d, stat.S_IFDIR | 0o755, b"") for d in dirs]
    entries.append(("init", stat.S_IFREG | 0o755, init.read_bytes()))
    entries.append(("bin/busybox", stat.S_IFREG | 0o755, busybox.read_bytes()))
    entries.append(("bin/sh", stat.S_IFLNK | 0o777, b"busybox"))
    tmp = pathlib.Path(tempfile.mkdtemp(dir=cache))
    entries.append(("usr/bin/devbridge", stat.S_IFREG | 0o755, stripped(devbridge, tmp)))
    made = set(dirs)
    for lib in libs:
        # Keep the path ldd printed (the loader's path is baked into the binary).
        rel = str(lib).lstrip("/")
        parent = os.path.dirname(rel)
        parts = parent.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                made.add(d)
                entries.append((d, stat.S_IFDIR | 0o755, b""))
        entries.append((rel, stat.S_IFREG | 0o755, stripped(lib.resolve(), tmp)))
    for name in order:
        entries.append((f"lib/modules/{name}.ko", stat.S_IFREG | 0o644, index[name].read_bytes()))
    entries.append(("etc/modules", stat.S_IFREG | 0o644, ("\n".join(order) + "\n").encode()))

    (tmp / "initramfs.cpio.gz").write_bytes(gzip.compress(cpio_newc(entries), compresslevel=1))
    shutil.copy(vmlinuz, tmp / "vmlinuz")
    (tmp / "release").write_text(release + "\n")
    guest.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(guest, ignore_errors=True)
    tmp.rename(guest)
    for old in guest.parent.iterdir():  # keep only the current guest
        if old != guest:
            shutil.rmtree(old, ignore_errors=True)
    log(f"guest ready in {guest}")
    return guest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devbridge", required=True, type=pathlib.Path)
    parser.add_argument("--cache", type=pathlib.Path, default=CACHE)
    args = parser.parse_args()
    print(build(args.devbridge.resolve(), args.cache.resolve()))


if __name__ == "__main__":
    main()
