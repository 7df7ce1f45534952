"""The dashboard in headless Chromium (driven over the DevTools protocol on 127.0.0.1): the page
loads, the live chart updates from the event stream, and an event button changes the device."""
import base64
import json
import os
import pathlib
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from test_service_support import serve  # noqa: F401  (fixture)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A minimal DevTools-protocol client over a WebSocket (RFC 6455), standard library only."""

    def __init__(self, url):
        assert url.startswith("ws://127.0.0.1:"), url
        hostport, path = url[len("ws://"):].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        assert b" 101 " in response.split(b"\r\n")[0], response
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _recv_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header.append(0x80 | 126)
            header += len(payload).to_bytes(2, "big")
        else:
            header.append(0x80 | 127)
            header += len(payload).to_bytes(8, "big")
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self):
        message = b""
        while True:
            first, second = self._recv_exact(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(self._recv_exact(2), "big")
            elif length == 127:
                length = int.from_bytes(self._recv_exact(8), "big")
            message += self._recv_exact(length)
            if first & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self._send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            reply = self._receive()
            if reply.get("id") == ident:
                assert "error" not in reply, reply
                return reply.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait(self, expression, timeout=30, what=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what or expression}: {self.evaluate('document.body.outerHTML')[:2000]}")

    def click(self, selector):
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


@pytest.fixture
def browser(tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (scripts/bootstrap.sh test installs it)")
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.time() + 60
        while time.time() < deadline and not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            time.sleep(0.1)
        port = int(port_file.read_text().split("\n")[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        yield DevTools(pages[0]["webSocketDebuggerUrl"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_dashboard_loads_charts_live_and_buttons_inject_events(serve, browser, tmp_path):
    service = serve(
        "devices:\n"
        f"  smoker: {{profile: smoker-brisket, link: {tmp_path}/smoker, speed: 120, reset_on_open: false}}\n"
        f"  ribs: {{profile: smoker-ribs-321, protocol: heatermeter, link: {tmp_path}/ribs, speed: 60,\n"
        "         exports: [{mode: raw, listen: '127.0.0.1:0'}]}\n"
    )
    browser.call("Page.enable")
    browser.call("Runtime.enable")
    browser.call("Page.navigate", url=service.base + "/")
    browser.wait("document.body.dataset.ready === 'true'", what="the device list")
    assert browser.evaluate("document.querySelectorAll('[data-device]').length") == 2
    assert "2 devices" in browser.evaluate("document.getElementById('summary').textContent")
    # An export on port 0 shows the port it bound, not ":0".
    port = service.wait_for(
        lambda: service.get("/control/exports", expect=200)[1]["exports"][0].get("port"), what="the bound port")
    browser.wait(
        f"document.querySelector('[data-listen]')?.textContent === '127.0.0.1:{port}'", what="the bound address")
    card = "document.querySelector('[data-device=smoker]')"
    browser.wait(f"Number({card}.dataset.samples) >= 3", what="three samples from the stream")
    first = browser.evaluate(f"{card}.querySelector('path[data-channel=pit]').getAttribute('d').length")
    time_before = float(browser.evaluate(f"{card}.dataset.time"))
    browser.wait(
        f"{card}.querySelector('path[data-channel=pit]').getAttribute('d').length > {first}", what="the chart to grow")
    assert float(browser.evaluate(f"{card}.dataset.time")) > time_before

    events_before = len(service.device("smoker")["events"])
    browser.click("[data-device=smoker] button[data-event=setpoint]")
    service.wait_for(
        lambda: any(e["name"] == "setpoint" for e in service.device("smoker")["events"]), what="the setpoint event")
    browser.wait(f"Number({card}.dataset.events) > {events_before}", what="the page to show the event")
    assert "setpoint" in browser.evaluate(f"{card}.querySelector('.log').textContent")

    browser.click("[data-device=ribs] button[data-action=pause]")
    service.wait_for(lambda: service.device("ribs")["clock"]["paused"], what="ribs paused by its button")

    time.sleep(1.0)
    shot = browser.call("Page.captureScreenshot", format="png")
    image = base64.b64decode(shot["data"])
    assert image.startswith(b"\x89PNG")
    artifacts = ROOT / ".build" / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "dashboard.png").write_bytes(image)
