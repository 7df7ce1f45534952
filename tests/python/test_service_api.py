"""Contract tests: a running `devbridge serve` answers every operation of its OpenAPI document
with the documented status and a body that matches the documented schema."""
import json
import urllib.request

import jsonschema
import pytest

from test_service_support import serve  # noqa: F401  (fixture)


def smoker_yaml(tmp_path):
    return (
        "devices:\n"
        f"  smoker: {{profile: smoker-brisket, link: {tmp_path}/smoker, reset_on_open: false}}\n"
        f"  ribs: {{profile: smoker-ribs-321, protocol: heatermeter, link: {tmp_path}/ribs, speed: 60}}\n"
    )


def validator(document, schema):
    root = {key: value for key, value in document.items() if key != "paths"}
    root.update(schema)
    return jsonschema.Draft202012Validator(root)


def test_every_operation_matches_the_document(serve, tmp_path):
    service = serve(smoker_yaml(tmp_path))
    status, document = service.get("/openapi.json", expect=200)
    assert document["openapi"] == "3.1.0"
    jsonschema.Draft202012Validator.check_schema({k: v for k, v in document.items() if k == "components"})
    bodies = {
        "setSpeed": {"speed": 30},
        "advanceClock": {"duration": "10m"},
        "injectEvent": {"command": "lid_open duration=30s"},
    }
    checked = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation["operationId"] == "stream":
                continue
            uri = path.replace("{name}", "smoker")
            body = bodies.get(operation["operationId"])
            status, payload = service.request(method.upper(), uri, body)
            responses = operation["responses"]
            assert str(status) in responses, f"{method} {uri}: undocumented status {status}: {payload}"
            response = responses[str(status)]
            if "$ref" in response:
                response = document["components"]["responses"][response["$ref"].split("/")[-1]]
            content = response.get("content", {})
            if "application/json" in content:
                validator(document, content["application/json"]["schema"]).validate(payload)
            checked.append(operation["operationId"])
    assert {"listDevices", "getDevice", "injectEvent", "pauseClock", "resumeClock", "setSpeed", "advanceClock",
            "startDevice", "stopDevice", "reload", "metrics", "health", "ready"} <= set(checked)


def test_error_responses_match_the_error_schema(serve, tmp_path):
    service = serve(smoker_yaml(tmp_path))
    _, document = service.get("/openapi.json", expect=200)
    error_schema = validator(document, {"$ref": "#/components/schemas/Error"})
    for method, path, body, expected in [
        ("GET", "/control/devices/nope", None, 404),
        ("POST", "/control/devices/smoker/events", {"command": "warp 9"}, 400),
        ("POST", "/control/devices/smoker/clock/speed", {"speed": "fast"}, 400),
        ("POST", "/control/devices/smoker/clock/advance", {"duration": "-1h"}, 400),
    ]:
        status, payload = service.request(method, path, body)
        assert status == expected, payload
        error_schema.validate(payload)


def test_the_event_stream_sends_device_samples(serve, tmp_path):
    service = serve(smoker_yaml(tmp_path))
    _, document = service.get("/openapi.json", expect=200)
    device_schema = validator(document, {"$ref": "#/components/schemas/Device"})
    with urllib.request.urlopen(service.base + "/control/stream?device=ribs&interval=100", timeout=20) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        samples = []
        event = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "sample":
                samples.append(json.loads(line[5:]))
                if len(samples) == 3:
                    break
    for sample in samples:
        device_schema.validate(sample)
        assert sample["name"] == "ribs"
    assert samples[-1]["time"] > samples[0]["time"]


def test_advance_three_hours_then_expect_the_stall(serve, tmp_path):
    service = serve(smoker_yaml(tmp_path))
    service.post("/control/devices/smoker/clock/pause", expect=200)

    def meat_after(duration):
        _, device = service.post("/control/devices/smoker/clock/advance", {"duration": duration}, expect=200)
        return next(c["value"] for c in device["channels"] if c["name"] == "meat1")

    start = meat_after("1s")
    three = meat_after("3h")
    four = meat_after("1h")
    five = meat_after("1h")
    assert three - start > 80, (start, three)
    assert five - four < 5, f"the stall: {four} → {five} in an hour"
    assert 145 < five < 170


def test_a_token_is_required_when_configured(serve, tmp_path):
    token = "0123456789abcdef-token"
    service = serve(smoker_yaml(tmp_path), token=token)
    status, payload = service.request("GET", "/control/devices", token="not-the-token-at-all")
    assert status == 401 and payload["error"]["code"] == "unauthorized"
    service.get("/control/devices", expect=200)
    service.get("/healthz", token="x", expect=200)


def test_metrics_count_bytes_and_show_simulated_values(serve, tmp_path):
    service = serve(smoker_yaml(tmp_path))
    service.post("/control/devices/ribs/clock/advance", {"duration": "2h"}, expect=200)
    service.wait_for(lambda: service.device("ribs")["counters"]["linesWritten"] > 0, what="ribs lines")
    _, text = service.get("/metrics", expect=200)
    assert 'devbridge_device_up{device="smoker"} 1' in text
    assert "# TYPE devbridge_endpoint_bytes_out_total counter" in text
    assert "# TYPE devbridge_signal gauge" in text
    pit = [line for line in text.splitlines() if line.startswith('devbridge_signal{device="ribs",channel="pit"')]
    assert pit and 150 < float(pit[0].split()[-1]) < 350, pit
