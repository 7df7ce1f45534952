"""The virtual CGM feed read by real third-party clients: py-nightscout (PyPI, the client
Home Assistant uses) over the Nightscout API, and pyserial over the cgm-jsonl PTY."""
import asyncio
import hashlib
import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import serial
from py_nightscout import Api

SECRET = "devbridge-test-secret"
DIRECTIONS = {"NONE", "TripleUp", "DoubleUp", "SingleUp", "FortyFiveUp", "Flat", "FortyFiveDown",
              "SingleDown", "DoubleDown", "TripleDown", "NOT COMPUTABLE", "RATE OUT OF RANGE"}


class CGMSim:
    """`devbridge sim <profile> --nightscout 127.0.0.1:0`; the banner gives the port and the link."""

    def __init__(self, devbridge, link, profile, speed, *args):
        self.link = link
        self.process = subprocess.Popen(
            [str(devbridge), "sim", profile, "--speed", str(speed), "--link", link,
             "--nightscout", "127.0.0.1:0", "--api-secret", SECRET, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        banner = []
        self.url = None
        seen_link = False
        deadline = time.time() + 30
        while time.time() < deadline and not (seen_link and self.url):
            line = self.process.stdout.readline()
            if not line:
                break
            banner.append(line)
            seen_link = seen_link or line.strip().startswith("link:")
            match = re.search(r"nightscout:\s+(http://127\.0\.0\.1:\d+)/api/v1/entries\.json", line)
            if match:
                self.url = match.group(1)
        text = "".join(banner)
        assert "speaking cgm-jsonl" in text, text
        assert self.url and seen_link, text

    def get(self, path, secret_header=None):
        request = urllib.request.Request(self.url + path)
        if secret_header is not None:
            request.add_header("api-secret", secret_header)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self):
        self.process.send_signal(subprocess.signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture(scope="module")
def spike_sim(devbridge, tmp_path_factory):
    sim = CGMSim(devbridge, str(tmp_path_factory.mktemp("cgm") / "ttyCGM"), "cgm-spike", 60)
    yield sim
    assert sim.stop() == 0


def sgvs(url, secret=SECRET, count=None):
    async def fetch():
        api = Api(url, api_secret=secret)
        return await api.get_sgvs(), await api.get_server_status()
    return asyncio.run(fetch())


def test_py_nightscout_reads_entries(spike_sim):
    deadline = time.time() + 20
    entries = []
    while time.time() < deadline:  # at --speed 60 a 5-minute reading comes every 5 wall seconds
        entries, status = sgvs(spike_sim.url)
        if len(entries) >= 2:
            break
        time.sleep(0.5)
    assert len(entries) >= 2, entries
    assert status.status == "ok" and status.apiEnabled is True
    for entry in entries:
        assert 40 <= entry.sgv <= 400
        assert entry.direction in DIRECTIONS
        assert isinstance(entry.delta, float)
        assert entry.device == "devbridge-cgm"
        assert entry.date.tzinfo is not None
    dates = [entry.date for entry in entries]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert (dates[0] - dates[1]).total_seconds() == 300, "5-minute samples in virtual time"
    assert dates[-1].isoformat().startswith("2026-06-06T12:00"), "virtual time starts at the profile's clock.start"


def test_reads_need_no_secret_by_default(spike_sim):
    """As real Nightscout (AUTH_DEFAULT_ROLES readable): py-nightscout without a secret, as HA's
    integration runs when none is configured, reads entries and status."""
    async def fetch():
        api = Api(spike_sim.url)
        return await api.get_sgvs(), await api.get_server_status()
    entries, status = asyncio.run(fetch())
    assert entries and status.status == "ok"
    status, body = spike_sim.get("/api/v1/status.json")
    assert status == 200 and json.loads(body)["settings"]["authDefaultRoles"] == "readable"


def test_with_auth_default_denied_a_wrong_secret_is_refused(devbridge, tmp_path):
    sim = CGMSim(devbridge, str(tmp_path / "ttyCGM"), "cgm-spike", 60, "--nightscout-auth-default", "denied")
    try:
        async def fetch():
            return await Api(sim.url, api_secret="not-the-secret").get_sgvs()
        with pytest.raises(Exception) as failure:
            asyncio.run(fetch())
        assert getattr(failure.value, "status", None) == 401, failure.value
        for header in (None, hashlib.sha1(b"wrong").hexdigest(), SECRET):
            status, body = sim.get("/api/v1/entries.json?count=5", header)
            assert status == 401
            assert b"sgv" not in body and b"devbridge" not in body
        status, body = sim.get("/api/v1/entries/current.json", hashlib.sha512(SECRET.encode()).hexdigest())
        assert status == 200 and len(json.loads(body)) == 1
    finally:
        assert sim.stop() == 0


def test_cgm_jsonl_on_the_pty(spike_sim):
    with serial.Serial(spike_sim.link, 9600, timeout=12) as port:
        for _ in range(2):  # the first line after open may be partial, as on a real port
            line = port.readline()
            try:
                data = json.loads(line)
                break
            except ValueError:
                continue
    assert line.endswith(b"\n"), line
    assert list(data) == ["sgv", "direction", "delta", "noise", "date", "dateString", "device"]
    assert isinstance(data["sgv"], int) and data["direction"] in DIRECTIONS
    assert isinstance(data["date"], int) and data["dateString"].endswith("Z")
    status, body = spike_sim.get("/api/v1/entries.json?find[date][$gte]=%d" % data["date"],
                                 hashlib.sha1(SECRET.encode()).hexdigest())
    assert status == 200
    assert data["date"] in [entry["date"] for entry in json.loads(body)], "the PTY and the API show the same readings"


def test_injected_spike_raises_sgv(devbridge, tmp_path):
    sim = CGMSim(devbridge, str(tmp_path / "ttyCGM"), "cgm-t1d-day", 300)
    try:
        secret = hashlib.sha1(SECRET.encode()).hexdigest()
        deadline = time.time() + 20
        while time.time() < deadline:
            status, body = sim.get("/api/v1/entries.json?count=1", secret)
            if status == 200 and json.loads(body):
                break
            time.sleep(0.2)
        baseline = json.loads(body)[0]
        request = urllib.request.Request(
            sim.url + "/api/v1/devbridge/events", method="POST",
            data=json.dumps({"type": "spike", "amount": "150mg/dL", "duration": "10m"}).encode(),
            headers={"api-secret": secret, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"ok": True, "event": "spike"}
        later = []
        deadline = time.time() + 20
        while time.time() < deadline and len(later) < 6:  # the next few readings (one per wall second)
            status, body = sim.get("/api/v1/entries.json?count=100&find[date][$gt]=%d" % baseline["date"], secret)
            later = json.loads(body)
            time.sleep(0.5)
        assert max(entry["sgv"] for entry in later[-6:]) > baseline["sgv"] + 60, (baseline, later)
    finally:
        assert sim.stop() == 0
