"""Helpers for the `devbridge serve` tests: start a service on a free loopback port, call its API."""
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """A running `devbridge serve --config FILE`, its banner and its HTTP base URL."""

    def __init__(self, devbridge, tmp_path, devices_yaml, token=None, extra_args=()):
        self.tmp = tmp_path
        self.port = free_port()
        self.token = token
        self.config = tmp_path / "devbridge.yaml"
        self.write_config(devices_yaml)
        self.process = subprocess.Popen(
            [str(devbridge), "serve", "--config", str(self.config), "--log-level", "info", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.time() + 60
        while time.time() < deadline and not any("dashboard:" in line for line in self.output):
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        assert any("dashboard:" in line for line in self.output), self.text()
        self.base = f"http://127.0.0.1:{self.port}"

    def write_config(self, devices_yaml):
        token = f"\n  token: {self.token}" if self.token else ""
        self.config.write_text(f"api:\n  listen: 127.0.0.1:{self.port}{token}\n{devices_yaml}")

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)

    def text(self):
        return "".join(self.output)

    def request(self, method, path, body=None, token=None, expect=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token or self.token:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, raw, ctype = error.code, error.read(), error.headers.get("Content-Type", "")
        payload = json.loads(raw) if "json" in ctype else raw.decode()
        if expect is not None:
            assert status == expect, f"{method} {path}: {status} {payload}"
        return status, payload

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def device(self, name):
        return self.get(f"/control/devices/{name}", expect=200)[1]

    def wait_for(self, predicate, timeout=20, what="condition", fail=True):
        """The predicate's first true value within `timeout` s; past it, an AssertionError
        (or None with fail=False, to check that something does not happen)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        if not fail:
            return None
        raise AssertionError(f"timed out waiting for {what}\n{self.text()}")

    def stop(self, sig=subprocess.signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._reader.join(timeout=5)


@pytest.fixture
def serve(devbridge, tmp_path):
    """Starts services; stops every one at the end of the test."""
    running = []

    def start(devices_yaml, **kw):
        service = Service(devbridge, tmp_path, devices_yaml, **kw)
        running.append(service)
        return service

    yield start
    for service in running:
        service.stop()
    for service in running:  # a crash fails the test that caused it, not a later one
        crashed = [marker for marker in ("Program crashed", "Fatal error:") if marker in service.text()]
        assert not crashed, service.text()
