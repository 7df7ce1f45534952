"""Host device discovery (issue #8), with no hardware: umockdev fakes sysfs, /dev and
uevents for an FTDI FT232R adapter (0403:6001, serial A50285BI), and devbridge runs
under its LD_PRELOAD library. Also checks udev/99-devbridge.rules with `udevadm test`."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "udev" / "99-devbridge.rules"
SYSTEM_PYTHON = "/usr/bin/python3"
FTDI_TTY = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0"


def _have_umockdev_gi():
    if shutil.which("umockdev-run") is None or not os.path.exists(SYSTEM_PYTHON):
        return False
    probe = "import gi; gi.require_version('UMockdev', '1.0'); from gi.repository import UMockdev"
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


needs_umockdev = pytest.mark.skipif(
    not _have_umockdev_gi(), reason="umockdev and its GI bindings are not installed (scripts/bootstrap.sh)"
)

# The testbed owner: runs under the system python3 (python3-gi), one command a line.
HELPER = r'''"""Runs under the system python3 (python3-gi + gir1.2-umockdev-1.0): owns a umockdev testbed
and obeys one command per stdin line, answering one line on stdout.
  add SERIAL TTY PORT DEVNUM  -> adds an FTDI adapter, emits add uevents, answers its tty syspath
  remove TTY                  -> emits remove uevents, removes the adapter and hangs up its tty
  write TTY HEX               -> the device sends bytes (written to the PTY master)
  read TTY N                  -> up to N bytes the device received (hex), waiting up to 10 s
"""
import os, select, sys, time
import tty as tty_module
import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev

RECORD = """P: /devices/pci0000:00/0000:00:14.0/usb1/{port}
N: bus/usb/001/{devnum:03d}
E: DEVNAME=/dev/bus/usb/001/{devnum:03d}
E: DEVTYPE=usb_device
E: SUBSYSTEM=usb
E: PRODUCT=403/6001/600
E: BUSNUM=001
E: DEVNUM={devnum:03d}
E: MAJOR=189
E: MINOR={minor}
E: ID_VENDOR_ID=0403
E: ID_MODEL_ID=6001
E: ID_SERIAL_SHORT={serial}
A: idVendor=0403
A: idProduct=6001
A: manufacturer=FTDI
A: product=FT232R USB UART
A: serial={serial}
A: busnum=1
A: devnum={devnum}
L: driver=../../../../../bus/usb/drivers/usb

P: /devices/pci0000:00/0000:00:14.0/usb1/{port}/{port}:1.0
E: DEVTYPE=usb_interface
E: SUBSYSTEM=usb
E: INTERFACE=255/255/255
A: bInterfaceNumber=00
L: driver=../../../../../../bus/usb/drivers/ftdi_sio

P: /devices/pci0000:00/0000:00:14.0/usb1/{port}/{port}:1.0/{tty}
E: SUBSYSTEM=usb-serial
A: port_number=0
L: driver=../../../../../../../bus/usb-serial/drivers/ftdi_sio

P: /devices/pci0000:00/0000:00:14.0/usb1/{port}/{port}:1.0/{tty}/tty/{tty}
S: serial/by-id/usb-FTDI_FT232R_USB_UART_{serial}-if00-port0
E: DEVNAME=/dev/{tty}
E: SUBSYSTEM=tty
E: MAJOR=188
E: MINOR={ttynum}
E: DEVLINKS=/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_{serial}-if00-port0
E: ID_VENDOR_ID=0403
E: ID_MODEL_ID=6001
E: ID_SERIAL_SHORT={serial}
E: ID_USB_DRIVER=ftdi_sio
A: dev=188:{ttynum}
"""

tb = UMockdev.Testbed.new()
adapters = {}  # tty -> (syspaths, parent first; by-id link)
masters = {}  # tty -> the PTY master that stands for the device
print("root", tb.get_root_dir(), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        if words[0] == "add":
            serial, tty, port, devnum = words[1], words[2], words[3], int(words[4])
            ttynum = int("".join(c for c in tty if c.isdigit()) or 0)
            text = RECORD.format(serial=serial, tty=tty, port=port, devnum=devnum, minor=devnum - 1, ttynum=ttynum)
            base = "/sys/devices/pci0000:00/0000:00:14.0/usb1/" + port
            paths = [base, f"{base}/{port}:1.0", f"{base}/{port}:1.0/{tty}", f"{base}/{port}:1.0/{tty}/tty/{tty}"]
            # The testbed would back the node with a PTY whose ioctls it emulates (none without
            # a recording, so not even a tty): the node is a plain PTY of ours instead, made
            # before the device exists (so the record has no N: line for it).
            master, slave = os.openpty()
            tty_module.setraw(slave)  # a UART does not echo
            os.makedirs(f"{tb.get_root_dir()}/dev", exist_ok=True)
            os.symlink(os.ttyname(slave), f"{tb.get_root_dir()}/dev/{tty}")
            os.close(slave)
            masters[tty] = master
            tb.add_from_string(text)
            for path in paths:
                tb.uevent(path, "add")
            adapters[tty] = (paths, f"{tb.get_root_dir()}/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_{serial}-if00-port0")
            print("ok", paths[-1], flush=True)
        elif words[0] == "remove":
            # Like an unplug: the node goes away with its uevents, and the tty hangs up
            # (the PTY master that stands for the device is closed).
            master = masters.pop(words[1])
            paths, by_id = adapters.pop(words[1])
            for path in reversed(paths):
                tb.uevent(path, "remove")
            for path in reversed(paths):
                tb.remove_device(path)
            if os.path.lexists(by_id):  # udev would remove it; the testbed leaves it
                os.unlink(by_id)
            node = f"{tb.get_root_dir()}/dev/{words[1]}"
            if os.path.lexists(node):  # the testbed may have taken it already
                os.unlink(node)
            os.close(master)
            print("ok", flush=True)
        elif words[0] == "write":
            fd = masters[words[1]]
            os.write(fd, bytes.fromhex(words[2]))
            print("ok", flush=True)
        elif words[0] == "read":
            fd = masters[words[1]]
            want, data, deadline = int(words[2]), b"", time.monotonic() + 10
            while len(data) < want and time.monotonic() < deadline:
                if select.select([fd], [], [], 0.1)[0]:
                    data += os.read(fd, want - len(data))
            print("ok", data.hex(), flush=True)
        else:
            print("error unknown command", flush=True)
    except Exception as error:  # answer, so the test sees why
        print("error", repr(error).replace("\n", " "), flush=True)
'''


class FakeHost:
    """A umockdev testbed in a helper process, and devbridge processes run inside it."""

    def __init__(self, tmp_path):
        script = tmp_path / "umockdev_helper.py"
        script.write_text(HELPER)
        self.proc = subprocess.Popen(
            ["umockdev-wrapper", SYSTEM_PYTHON, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        words = self.proc.stdout.readline().split()
        assert words and words[0] == "root", f"umockdev helper did not start: {words}"
        self.root = words[1]
        self.children = []

    def command(self, *words):
        self.proc.stdin.write(" ".join(map(str, words)) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        assert answer and answer[0] == "ok", f"umockdev helper: {words} -> {answer}"
        return answer[1:]

    def add_ftdi(self, serial="A50285BI", tty="ttyUSB0", port="1-2", devnum=5):
        return self.command("add", serial, tty, port, devnum)[0]

    def remove(self, tty):
        self.command("remove", tty)

    def env(self):
        env = dict(os.environ)
        env["UMOCKDEV_DIR"] = self.root
        env["LD_PRELOAD"] = "libumockdev-preload.so.0"
        return env

    def run(self, devbridge, *args):
        result = subprocess.run(
            [str(devbridge), *map(str, args)], capture_output=True, text=True, env=self.env(), timeout=60
        )
        assert result.returncode == 0, f"devbridge {args}: {result.stderr}"
        return result.stdout

    def start(self, devbridge, *args):
        proc = subprocess.Popen(
            [str(devbridge), *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(),
        )
        self.children.append(proc)
        return proc

    def close(self):
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def testbed(tmp_path):
    bed = FakeHost(tmp_path)
    yield bed
    bed.close()


class JSONLines:
    """Reads a process's stdout, a JSON object a line, on a thread (select() on a buffered
    pipe would miss lines already read into the buffer)."""

    def __init__(self, proc):
        import queue
        import threading

        self.proc = proc
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout=20):
        import queue

        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no event from devbridge devices --watch") from None
        if line is None:
            raise AssertionError(f"devbridge exited: {self.proc.stderr.read()}")
        return json.loads(line)


@needs_umockdev
def test_devices_json_lists_the_fake_ftdi_adapter_with_its_identity(devbridge, testbed):
    testbed.add_ftdi()
    devices = json.loads(testbed.run(devbridge, "devices", "--json"))
    ttys = [d for d in devices if d["kind"] == "tty"]
    assert len(ttys) == 1, devices
    tty = ttys[0]
    assert tty["devnode"] == "/dev/ttyUSB0"
    assert tty["sysname"] == "ttyUSB0"
    assert (tty["vendor"], tty["product"], tty["serial"]) == ("0403", "6001", "A50285BI")
    assert (tty["manufacturer"], tty["model"]) == ("FTDI", "FT232R USB UART")
    assert tty["by_id"] == "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"
    assert tty["driver"] == "ftdi_sio"
    assert tty["usb_port"] == "1-2"
    assert tty["usb_device"] == "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
    usb = [d for d in devices if d["kind"] == "usb"]
    assert [(d["vendor"], d["product"], d["serial"], d["devnode"]) for d in usb] == [
        ("0403", "6001", "A50285BI", "/dev/bus/usb/001/005")
    ]
    assert usb[0]["driver"] == "usb"

    table = testbed.run(devbridge, "devices", "--kind", "tty")
    assert "/dev/ttyUSB0  0403:6001  FTDI FT232R USB UART" in table
    assert "serial A50285BI, driver ftdi_sio, usb port 1-2" in table


@needs_umockdev
def test_devices_match_picks_by_identity_not_port(devbridge, testbed):
    testbed.add_ftdi()
    testbed.add_ftdi(serial="B0000001", tty="ttyUSB1", port="1-3", devnum=6)
    picked = json.loads(testbed.run(devbridge, "devices", "--json", "--match", "serial=A50285BI,subsystem=tty"))
    assert [d["devnode"] for d in picked] == ["/dev/ttyUSB0"]
    both = json.loads(testbed.run(devbridge, "devices", "--json", "--match", "vendor=0403,product=6001"))
    assert sorted(d["devnode"] for d in both) == ["/dev/bus/usb/001/005", "/dev/bus/usb/001/006", "/dev/ttyUSB0", "/dev/ttyUSB1"]
    by_port = json.loads(testbed.run(devbridge, "devices", "--json", "--kind", "tty", "--match", "port=1-3"))
    assert [d["serial"] for d in by_port] == ["B0000001"]
    assert "no device matches" in testbed.run(devbridge, "devices", "--match", "serial=NOPE")


@needs_umockdev
def test_watch_follows_hotplug_with_identity_on_removal(devbridge, testbed):
    testbed.add_ftdi()
    proc = testbed.start(devbridge, "devices", "--watch", "--json", "--kind", "tty")
    events = JSONLines(proc)
    present = events.next()
    assert present["event"] == "present" and present["device"]["serial"] == "A50285BI"
    assert events.next() == {"event": "ready"}

    testbed.remove("ttyUSB0")
    gone = events.next()
    assert gone["event"] == "remove"
    # sysfs is gone by now: the identity comes from the record seen while present.
    assert (gone["device"]["devnode"], gone["device"]["serial"]) == ("/dev/ttyUSB0", "A50285BI")

    testbed.add_ftdi(tty="ttyUSB3", port="1-4", devnum=9)
    back = events.next()
    assert back["event"] == "add"
    assert (back["device"]["devnode"], back["device"]["serial"], back["device"]["usb_port"]) == (
        "/dev/ttyUSB3", "A50285BI", "1-4"
    )


def test_rules_file_syntax():
    """Every rule line is KEY[{attr}] OP "value" pairs with known keys (what udevadm verify checks first)."""
    keys = {
        "ACTION", "SUBSYSTEM", "SUBSYSTEMS", "DEVPATH", "KERNEL", "KERNELS", "DRIVER", "DRIVERS", "ATTR", "ATTRS",
        "ENV", "TAG", "TAGS", "GROUP", "OWNER", "MODE", "SYMLINK", "NAME", "GOTO", "LABEL", "RUN", "IMPORT",
        "PROGRAM", "RESULT", "TEST", "OPTIONS", "CONST",
    }
    pair = re.compile(r'^\s*([A-Z]+)(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*$')
    labels, gotos = set(), set()
    for number, line in enumerate(RULES.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert not line.endswith("\\"), f"line {number}: continuation lines are not used here"
        for part in line.split(","):
            match = pair.match(part)
            assert match, f"99-devbridge.rules:{number}: cannot parse {part!r}"
            key, _, op, value = match.groups()
            assert key in keys, f"99-devbridge.rules:{number}: unknown key {key}"
            if key == "LABEL":
                labels.add(value)
            if key == "GOTO":
                gotos.add(value)
            if key in ("SYMLINK", "GROUP", "MODE", "LABEL", "GOTO"):
                assert op in ("=", "+=", ":="), f"99-devbridge.rules:{number}: {key} takes an assignment"
    assert gotos <= labels, f"GOTO without LABEL: {gotos - labels}"


UDEVADM_TEST = r'''
set -e
T="$1"; RULES_DIR="$2"; RECORD="$3"; shift 3
# Private mounts only: udevadm test writes links and its database; keep them off the host.
mkdir "$T/olddev" "$T/empty"
mount --rbind /dev "$T/olddev"
mount -t tmpfs tmpfs /dev
for node in null zero urandom tty; do touch "/dev/$node"; mount --bind "$T/olddev/$node" "/dev/$node"; done
mkdir /dev/pts; mount --rbind "$T/olddev/pts" /dev/pts; ln -s pts/ptmx /dev/ptmx
mount -t tmpfs tmpfs /run
cp /etc/group "$T/group"; echo "devbridge:x:977:" >> "$T/group"; mount --bind "$T/group" /etc/group
mount --bind "$RULES_DIR" /etc/udev/rules.d
for dir in /lib/udev/rules.d /usr/lib/udev/rules.d; do [ -d "$dir" ] && mount --bind "$T/empty" "$dir"; done
for path in "$@"; do
  echo "@@devbridge-udevadm-test@@ $path"
  umockdev-run --device "$RECORD" -- udevadm test --action=add "$path" 2>&1
done
'''


def _can_unshare():
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("udevadm") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


@needs_umockdev
@pytest.mark.skipif(not _can_unshare(), reason="needs root, unshare -m and udevadm (CI has them)")
def test_udevadm_test_applies_the_rules_to_a_fake_adapter(tmp_path):
    record = tmp_path / "devices.umockdev"
    text = HELPER.split('RECORD = """', 1)[1].split('"""', 1)[0]
    tagged = text.format(serial="A50285BI", tty="ttyUSB0", port="1-2", devnum=5, minor=4, ttynum=0)
    other = text.format(serial="B0000001", tty="ttyUSB1", port="1-3", devnum=6, minor=5, ttynum=1)
    record.write_text(tagged + "\n" + other)
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    shutil.copy(RULES, rules_dir / RULES.name)
    script = tmp_path / "udevadm-test.sh"
    script.write_text(UDEVADM_TEST)
    work = tmp_path / "work"
    work.mkdir()
    usb = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
    other_tty = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB1/tty/ttyUSB1"
    result = subprocess.run(
        ["unshare", "-m", "bash", str(script), str(work), str(rules_dir), str(record), FTDI_TTY, usb, other_tty],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
    )
    out = result.stdout
    assert result.returncode == 0, out
    sections = dict(part.split("\n", 1) for part in out.split("@@devbridge-udevadm-test@@ ")[1:])
    tty, usb_out, other_out = sections[FTDI_TTY], sections[usb], sections[other_tty]
    for section in (tty, usb_out, other_out):
        assert "Reading rules file: /etc/udev/rules.d/99-devbridge.rules" in section
        assert not re.search(r"99-devbridge\.rules:\d+ .*(Invalid|invalid|ignoring|Unknown)", section), section
    assert "LINK 'devbridge/thermometer'" in tty
    assert "MODE 0660" in tty and re.search(r"99-devbridge.rules:\d+ GROUP 977", tty), tty
    assert "DEVBRIDGE_NAME=thermometer" in tty
    assert "LINK 'devbridge/thermometer-usb'" in usb_out
    # Another unit of the same model: accessible (a known bridge) but not named.
    assert "devbridge/thermometer" not in other_out
    assert "MODE 0660" in other_out and "DEVBRIDGE=1" in other_out
    assert not os.path.exists("/dev/devbridge"), "udevadm test leaked links onto the host"


def start_export(devbridge, testbed, link):
    """`devbridge export --match` for the thermometer's adapter; returns (process, TCP port)."""
    proc = testbed.start(
        devbridge, "export", "--match", "vendor=0403,product=6001,serial=A50285BI",
        "--listen", "127.0.0.1:0", "--match-link", link, "--verbose",
    )
    line = proc.stdout.readline()
    found = re.search(r"on 127\.0\.0\.1:(\d+) ", line)
    assert found, f"export did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
    return proc, int(found.group(1))


def wait_for(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def receive(sock, count, timeout=10):
    import select

    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < count and time.monotonic() < deadline:
        if select.select([sock], [], [], 0.1)[0]:
            chunk = sock.recv(count - len(data))
            if not chunk:
                raise AssertionError(f"the export closed the client after {data!r}")
            data += chunk
    return data


def quiet(sock, seconds=1.0):
    """True when the client is told nothing (no bytes, no close) for a while."""
    import select

    return not select.select([sock], [], [], seconds)[0]


def holds_open(pid, path):
    """True when process `pid` has `path` open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            pass
    return False


def device_sends(testbed, tty, data, sock, export, link):
    """Once the export has the device open, the device writes `data`; the client must get it."""
    try:
        wait_for(lambda: os.path.islink(link) and holds_open(export.pid, os.readlink(link)), f"the export to open {tty}")
    except AssertionError as error:
        export.kill()
        raise AssertionError(f"{error}; export log:\n{export.communicate()[1]}") from None
    testbed.command("write", tty, data.hex())
    got = receive(sock, len(data))
    if got != data:
        export.kill()
        raise AssertionError(f"client got {got!r} for {data!r} from {tty}; export log:\n{export.communicate()[1]}")


@needs_umockdev
def test_export_by_match_follows_the_adapter_across_replug(devbridge, testbed, tmp_path):
    import socket

    link = str(tmp_path / "thermometer")
    proc, port = start_export(devbridge, testbed, link)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        # The adapter appears: the export starts on it.
        assert not os.path.lexists(link)
        testbed.add_ftdi()
        wait_for(lambda: os.path.islink(link), "the export to attach the adapter")
        device_sends(testbed, "ttyUSB0", b"hello", client, proc, link)
        listing = json.loads(testbed.run(devbridge, "devices", "--json", "--kind", "tty"))
        users = listing[0]["used_by"]
        assert [u["pid"] for u in users] == [proc.pid], listing
        assert " export --match vendor=0403,product=6001,serial=A50285BI " in users[0]["command"]
        client.sendall(b"ping")
        assert testbed.command("read", "ttyUSB0", 4) == [b"ping".hex()]

        # Unplugged: the client stays connected and is told nothing.
        testbed.remove("ttyUSB0")
        wait_for(lambda: not os.path.lexists(link), "the link to go with the adapter")
        assert quiet(client), "the client was sent something (or closed) while the adapter was away"

        # Back on another port as ttyUSB1: same TCP port, same client, bytes flow both ways.
        testbed.add_ftdi(tty="ttyUSB1", port="1-3", devnum=7)
        wait_for(lambda: os.path.islink(link), "the export to follow the adapter to ttyUSB1")
        device_sends(testbed, "ttyUSB1", b"again", client, proc, link)
        client.sendall(b"pong")
        assert testbed.command("read", "ttyUSB1", 4) == [b"pong".hex()]
        assert proc.poll() is None
    finally:
        client.close()


@needs_umockdev
def test_export_by_match_never_exports_another_device_on_the_same_port(devbridge, testbed, tmp_path):
    import socket

    link = str(tmp_path / "thermometer")
    proc, port = start_export(devbridge, testbed, link)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        # Another FT232R, another serial number, in the thermometer's usual port and tty name.
        testbed.add_ftdi(serial="B0000001", tty="ttyUSB0", port="1-2", devnum=5)
        listing = json.loads(testbed.run(devbridge, "devices", "--json", "--kind", "tty"))
        assert [d["serial"] for d in listing] == ["B0000001"]  # the export has seen the same
        testbed.command("write", "ttyUSB0", b"intruder".hex())
        assert quiet(client), "bytes from a different device reached the client"
        assert not os.path.lexists(link)

        # The real adapter, elsewhere: exported at once (so the export was listening all along).
        testbed.add_ftdi(tty="ttyUSB1", port="1-3", devnum=6)
        wait_for(lambda: os.path.islink(link), "the export to attach the right adapter")
        device_sends(testbed, "ttyUSB1", b"mine", client, proc, link)
        assert proc.poll() is None
    finally:
        client.close()


@needs_umockdev
def test_serve_config_match_export_follows_the_adapter(devbridge, testbed, tmp_path):
    """`devbridge serve` with a `match:` export: it starts when the adapter appears and survives a replug."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        api = probe.getsockname()[1]
    config = tmp_path / "serve.yaml"
    config.write_text(
        f"api: {{listen: '127.0.0.1:{api}'}}\n"
        "devices: {}\n"
        "exports:\n"
        "  thermo:\n"
        "    match: {vendor: '0403', product: '6001', serial: A50285BI}\n"
        "    mode: raw\n"
        f"    listen: '127.0.0.1:{port}'\n"
    )
    proc = testbed.start(devbridge, "serve", "--config", config)
    wait_for(lambda: _connectable(port), "serve to listen on the export port", timeout=30)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        testbed.add_ftdi()
        _device_reaches(testbed, "ttyUSB0", b"hello", client, proc)
        testbed.remove("ttyUSB0")
        time.sleep(0.5)
        testbed.add_ftdi(tty="ttyUSB1", port="1-3", devnum=7)
        _device_reaches(testbed, "ttyUSB1", b"again", client, proc)
        assert proc.poll() is None
    finally:
        client.close()


def _connectable(port):
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def _device_reaches(testbed, tty, data, client, proc, timeout=20):
    """Writes `data` from the fake device until the client receives it (the export opens the device asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        testbed.command("write", tty, data.hex())
        got = receive(client, len(data), timeout=0.5)
        if got.endswith(data):
            return
    proc.kill()
    raise AssertionError(f"{tty}: the client never got {data!r}; serve log:\n{proc.communicate()[1][-3000:]}")
