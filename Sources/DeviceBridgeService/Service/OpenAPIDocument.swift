/// The OpenAPI 3.1 document of the control API, served at `/openapi.json`.
///
/// Hand-written; the contract tests (tests/python/test_service_api.py) call every operation
/// it lists and validate the responses against its schemas.
public enum OpenAPIDocument {
    /// The document as JSON text.
    public static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "devbridge control API",
            "version": "1.0.0",
            "description": "Virtual devices, exports and their clocks. Everything under /control needs 'Authorization: Bearer TOKEN' when the service has a token (mandatory off loopback)."
          },
          "servers": [{"url": "http://127.0.0.1:7000"}],
          "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
              "name": {"name": "name", "in": "path", "required": true, "description": "Device name (a key under devices: in the configuration).", "schema": {"type": "string"}}
            },
            "responses": {
              "Error": {"description": "An error.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Device": {"description": "The device's state afterwards.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Device"}}}}
            },
            "schemas": {
              "Error": {
                "type": "object", "required": ["error"],
                "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                  "code": {"type": "string", "enum": ["config", "bad-request", "not-found", "conflict", "unauthorized", "unavailable", "start-failed"]},
                  "message": {"type": "string"}}}}
              },
              "Health": {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}},
              "Ready": {"type": "object", "required": ["ready", "notRunning"], "properties": {
                "ready": {"type": "boolean"}, "notRunning": {"type": "array", "items": {"type": "string"}}}},
              "ExportCounters": {"type": "object", "required": ["clients", "clientsAccepted", "bytesIn", "bytesOut", "reconnects", "errors"],
                "properties": {
                  "clients": {"type": "integer", "minimum": 0}, "clientsAccepted": {"type": "integer", "minimum": 0},
                  "bytesIn": {"type": "integer", "minimum": 0}, "bytesOut": {"type": "integer", "minimum": 0},
                  "reconnects": {"type": "integer", "minimum": 0}, "errors": {"type": "integer", "minimum": 0}}},
              "Export": {"type": "object", "required": ["name", "mode", "listen", "status", "counters"], "properties": {
                "name": {"type": "string"}, "device": {"type": "string"},
                "mode": {"type": "string", "enum": ["raw", "rfc2217", "telnet"]},
                "listen": {"type": "string"},
                "port": {"type": "integer", "description": "The bound port, while running."},
                "status": {"type": "string", "enum": ["starting", "running", "stopped", "failed", "unavailable"]},
                "error": {"type": "string"},
                "counters": {"$ref": "#/components/schemas/ExportCounters"}}},
              "Device": {"type": "object",
                "required": ["name", "profile", "protocol", "isolation", "status", "channels", "outputs", "events", "eventTypes", "restarts", "exports"],
                "properties": {
                  "name": {"type": "string"}, "profile": {"type": "string"}, "protocol": {"type": "string"},
                  "model": {"type": "string"},
                  "isolation": {"type": "string", "enum": ["embedded", "process"]},
                  "status": {"type": "string", "enum": ["starting", "running", "restarting", "stopped", "failed"]},
                  "error": {"type": "string"}, "pty": {"type": "string"}, "link": {"type": "string"},
                  "baud": {"type": "integer", "description": "Serial speed of the device (8N1)."},
                  "time": {"type": "number", "description": "Virtual seconds since the profile start."},
                  "clock": {"type": "object", "required": ["paused"], "properties": {
                    "speed": {"type": "number", "exclusiveMinimum": 0}, "paused": {"type": "boolean"}}},
                  "channels": {"type": "array", "items": {"type": "object", "required": ["name", "unit", "state"], "properties": {
                    "name": {"type": "string"}, "unit": {"type": "string"}, "value": {"type": "number"},
                    "state": {"type": "string", "enum": ["value", "disconnected", "no-sample"]}}}},
                  "outputs": {"type": "object", "additionalProperties": {"type": "number"}},
                  "counters": {"type": "object", "required": ["linesWritten", "bytesWritten", "bytesDropped", "bytesReceived", "resets"], "properties": {
                    "linesWritten": {"type": "integer"}, "bytesWritten": {"type": "integer"}, "bytesDropped": {"type": "integer"},
                    "bytesReceived": {"type": "integer"}, "resets": {"type": "integer"}}},
                  "events": {"type": "array", "items": {"type": "object", "required": ["time", "label", "name"], "properties": {
                    "time": {"type": "number"}, "label": {"type": "string"}, "name": {"type": "string"}, "error": {"type": "string"}}}},
                  "eventTypes": {"type": "array", "items": {"type": "string"}},
                  "pid": {"type": "integer"},
                  "restarts": {"type": "integer", "minimum": 0},
                  "exports": {"type": "array", "items": {"$ref": "#/components/schemas/Export"}}}},
              "DeviceList": {"type": "object", "required": ["devices", "exports"], "properties": {
                "devices": {"type": "array", "items": {"$ref": "#/components/schemas/Device"}},
                "exports": {"type": "array", "items": {"$ref": "#/components/schemas/Export"}}}},
              "ExportList": {"type": "object", "required": ["exports"], "properties": {
                "exports": {"type": "array", "items": {"$ref": "#/components/schemas/Export"}}}},
              "EventRequest": {"type": "object",
                "description": "Either a command line, or a type with parameters (quantities with units: 90s, 250F, 60g, 2U, 120mg/dL).",
                "properties": {
                  "command": {"type": "string", "examples": ["lid_open duration=90s", "wrap meat1", "setpoint 250F", "fuel_out", "probe_disconnect meat1", "meal 60g", "bolus 2U", "spike"]},
                  "type": {"type": "string", "enum": ["lid_open", "wrap", "unwrap", "setpoint", "fuel_out", "add_fuel", "ambient", "wind", "probe_disconnect", "probe_reconnect", "meal", "bolus", "basal", "exercise", "spike"]},
                  "target": {"type": "string"},
                  "parameters": {"type": "object", "additionalProperties": {"type": ["string", "number"]}}}},
              "EventAccepted": {"type": "object", "required": ["device", "command"], "properties": {
                "device": {"type": "string"}, "command": {"type": "string"}}},
              "SpeedRequest": {"type": "object", "required": ["speed"], "properties": {"speed": {"type": "number", "exclusiveMinimum": 0}}},
              "AdvanceRequest": {"type": "object", "required": ["duration"], "properties": {"duration": {"type": "string", "examples": ["90s", "15m", "3h"]}}},
              "ReloadSummary": {"type": "object", "required": ["started", "stopped", "restarted", "unchanged", "needsRestart"], "properties": {
                "started": {"type": "array", "items": {"type": "string"}}, "stopped": {"type": "array", "items": {"type": "string"}},
                "restarted": {"type": "array", "items": {"type": "string"}}, "unchanged": {"type": "array", "items": {"type": "string"}},
                "needsRestart": {"type": "array", "items": {"type": "string"}}}}
            }
          },
          "paths": {
            "/healthz": {"get": {"operationId": "health", "summary": "Liveness.", "responses": {
              "200": {"description": "Alive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
            "/readyz": {"get": {"operationId": "ready", "summary": "Readiness: every device that should run is running.", "responses": {
              "200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ready"}}}},
              "503": {"description": "Not ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ready"}}}}}}},
            "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics.", "responses": {
              "200": {"description": "Prometheus text exposition.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document.", "responses": {
              "200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/": {"get": {"operationId": "dashboard", "summary": "The dashboard.", "responses": {
              "200": {"description": "HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/control/devices": {"get": {"operationId": "listDevices", "summary": "Every device and export with state and counters.", "security": [{"bearer": []}],
              "responses": {"200": {"description": "Devices and exports.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeviceList"}}}},
                "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/exports": {"get": {"operationId": "listExports", "summary": "Every export.", "security": [{"bearer": []}],
              "responses": {"200": {"description": "Exports.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportList"}}}},
                "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}": {"get": {"operationId": "getDevice", "summary": "One device's live state.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "404": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/events": {"post": {"operationId": "injectEvent", "summary": "Inject an event: lid_open, wrap, setpoint, fuel_out, probe_disconnect, meal, bolus, spike, …", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventRequest"}}}},
              "responses": {"202": {"description": "Applied.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventAccepted"}}}},
                "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/clock/pause": {"post": {"operationId": "pauseClock", "summary": "Stop virtual time.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/clock/resume": {"post": {"operationId": "resumeClock", "summary": "Let virtual time run again.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/clock/speed": {"post": {"operationId": "setSpeed", "summary": "Set virtual seconds per wall second.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SpeedRequest"}}}},
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/clock/advance": {"post": {"operationId": "advanceClock", "summary": "Jump virtual time ahead at once (lines printed during the jump are discarded).", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdvanceRequest"}}}},
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/start": {"post": {"operationId": "startDevice", "summary": "Start a stopped device.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "404": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/devices/{name}/stop": {"post": {"operationId": "stopDevice", "summary": "Stop a device: its exports close and its PTY link is removed.", "security": [{"bearer": []}],
              "parameters": [{"$ref": "#/components/parameters/name"}],
              "responses": {"200": {"$ref": "#/components/responses/Device"}, "404": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/reload": {"post": {"operationId": "reload", "summary": "Re-read the configuration file (as SIGHUP does).", "security": [{"bearer": []}],
              "responses": {"200": {"description": "What changed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReloadSummary"}}}},
                "400": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/control/stream": {"get": {"operationId": "stream", "summary": "Server-sent events: one 'sample' event (a Device object) per device per interval.", "security": [{"bearer": []}],
              "parameters": [
                {"name": "device", "in": "query", "required": false, "schema": {"type": "string"}},
                {"name": "interval", "in": "query", "required": false, "description": "Milliseconds between samples (50–10000, default 1000).", "schema": {"type": "integer"}}],
              "responses": {"200": {"description": "An event stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                "401": {"$ref": "#/components/responses/Error"}}}}
          }
        }
        """#
}
