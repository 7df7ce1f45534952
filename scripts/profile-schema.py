#!/usr/bin/env python3
"""Writes profiles/schema.json, the JSON Schema editors use to validate profiles.

Run `make schema` after changing the profile format (docs/profiles.md); the test
suite checks that the committed schema is what this script produces.
"""
import json
import pathlib
import sys

NUMBER = r"\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?\s*"


def quantity(units, description):
    alternatives = "|".join(units)
    return {"type": "string", "pattern": f"^{NUMBER}({alternatives})\\s*$", "description": description}


DURATION = {"type": "string", "pattern": r"^([+-]?(\d+(\.\d+)?(ms|s|min|m|h|d|w))+|0)$",
            "description": "A duration with units: 90s, 15m, 2h30m, 1d, 500ms."}
TIME_OF_DAY = {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
               "description": "A time of day, HH:MM[:SS]."}
TEMPERATURE = quantity(["°?F", "°?C", "K"], "A temperature with its unit: 225F, 107C.")
ANY_QUANTITY = {"anyOf": [{"type": "number"}, {"type": "string", "pattern":
                f"^{NUMBER}(°?F|°?C|K|mg/dL|mg/dl|mmol/L|%|kg|g|lb|U|u|U/h|mph|km/h|m/s)?\\s*$"}],
                "description": "A number, with a unit where the quantity has one (225F, 120mg/dL, 35%)."}
MASS = quantity(["kg", "g", "lb"], "A mass: 6kg, 13lb.")
CARBS = quantity(["g", "kg"], "Carbohydrate: 60g.")
INSULIN = quantity(["U", "u"], "Insulin units: 4U.")
RATE = quantity(["U/h", "U/hr"], "Insulin rate: 0.8U/h.")
GLUCOSE = quantity(["mg/dL", "mg/dl", "mmol/L"], "Glucose: 120mg/dL.")
SPEED = quantity(["mph", "km/h", "m/s"], "Wind speed: 10mph.")
PERCENT = quantity(["%"], "A percentage: 15%.")


def distribution(base):
    return {"oneOf": [base, {"type": "object", "additionalProperties": False, "required": ["distribution"],
            "properties": {"distribution": {"enum": ["normal", "uniform"]},
                           "mean": base, "sd": base, "min": base, "max": base}}]}


EVENT_PARAMETERS = {
    "duration": DURATION, "value": {"anyOf": [TEMPERATURE, SPEED]}, "kg": MASS, "grams": CARBS, "bolus": INSULIN,
    "units": INSULIN, "rate": RATE, "intensity": {"type": "number", "minimum": 0, "maximum": 1}, "amount": GLUCOSE,
}
EVENT_TYPES = ["lid_open", "setpoint", "fuel_out", "add_fuel", "wrap", "unwrap", "ambient", "wind", "meal", "bolus",
               "basal", "exercise", "spike", "probe_disconnect", "probe_reconnect"]
WINDOW = {"type": "object", "additionalProperties": False, "required": ["start", "duration"],
          "properties": {"start": DURATION, "duration": DURATION}}

SMOKER_MODEL = {
    "type": {"const": "smoker"}, "setpoint": TEMPERATURE, "ambient": TEMPERATURE, "wind": SPEED,
    "initial_pit": TEMPERATURE, "fuel": MASS, "pit_dew_point": TEMPERATURE,
    "fire_power": {"type": "number", "exclusiveMinimum": 0, "description": "Fire heat release at 100 % output, W."},
    "fire_flicker": {"type": "number", "minimum": 0, "maximum": 0.5},
    "kp": {"type": "number"}, "ki": {"type": "number"}, "kd": {"type": "number"},
    "meats": {"type": "array", "maxItems": 4, "items": {"type": "object", "additionalProperties": False,
              "required": ["cut"], "properties": {
                  "cut": {"enum": ["brisket", "pork_shoulder", "ribs", "whole_chicken"]},
                  "weight": MASS, "initial": TEMPERATURE, "wrapped": {"type": "boolean"}}}},
}
GLUCOSE_MODEL = {
    "type": {"const": "glucose"}, "patient": {"enum": ["adult", "adolescent", "child"]}, "basal": RATE,
    "dawn": PERCENT, "dawn_window": {"type": "array", "minItems": 2, "maxItems": 2, "items": TIME_OF_DAY},
    "interstitial_lag": DURATION,
}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://devbridge.invalid/profiles/schema.json",
    "title": "devbridge profile",
    "description": "A YAML timeline over a physical model that drives a virtual device. See docs/profiles.md.",
    "type": "object", "additionalProperties": False, "required": ["channels"],
    "properties": {
        "name": {"type": "string"}, "description": {"type": "string"},
        "units": {"enum": ["F", "C", "°F", "°C"], "description": "Display unit for temperature channels."},
        "clock": {"type": "object", "additionalProperties": False, "properties": {
            "start": {"type": "string", "description": "ISO 8601 start of virtual time, e.g. 2026-06-06T06:00:00Z."},
            "tick": DURATION, "seed": {"type": "integer", "minimum": 0}, "duration": DURATION}},
        "model": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["type"], "properties": SMOKER_MODEL},
            {"type": "object", "additionalProperties": False, "required": ["type"], "properties": GLUCOSE_MODEL}]},
        "channels": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/channel"}},
        "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
        "random_events": {"type": "array", "items": {"$ref": "#/$defs/random_event"}},
        "faults": {"type": "array", "items": {"$ref": "#/$defs/fault"}},
        "device": {"type": "object", "additionalProperties": False, "properties": {
            "protocol": {"enum": ["smart-smoker", "heatermeter", "cgm-jsonl"]},
            "pit": {"type": "string"}, "ambient": {"type": "string"}, "glucose": {"type": "string"},
            "food": {"type": "array", "maxItems": 4, "items": {"type": "string"}}}},
    },
    "$defs": {
        "channel": {"type": "object", "additionalProperties": False, "properties": {
            "source": {"type": "string", "description": "A model output: pit, meat1.core, interstitial, …"},
            "curve": {"type": "object", "additionalProperties": False, "required": ["knots"], "properties": {
                "interpolation": {"enum": ["linear", "step", "smooth"]}, "loop": {"type": "boolean"},
                "knots": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                                    "prefixItems": [DURATION, ANY_QUANTITY]}}}},
            "csv": {"type": "object", "additionalProperties": False, "required": ["file", "column"], "properties": {
                "file": {"type": "string"}, "column": {"type": "string"}, "time_column": {"type": "string"},
                "loop": {"type": "boolean"}}},
            "unit": {"enum": ["F", "C", "°F", "°C", "mg/dL", "mmol/L", "%", "kg", "s", ""]},
            "sensor": {"oneOf": [{"$ref": "#/$defs/sensor"}, {"$ref": "#/$defs/cgm_sensor"}]}},
            "oneOf": [{"required": ["source"]}, {"required": ["curve"]}, {"required": ["csv"]}]},
        "sensor": {"type": "object", "additionalProperties": False, "properties": {
            "type": {"const": "generic"}, "interval": DURATION, "lag": DURATION, "quantize": ANY_QUANTITY,
            "clamp": {"type": "array", "minItems": 2, "maxItems": 2, "items": ANY_QUANTITY}, "warmup": DURATION,
            "noise": {"type": "object", "additionalProperties": False, "required": ["type"], "properties": {
                "type": {"enum": ["gaussian", "ar1", "johnson_su"]}, "sd": ANY_QUANTITY,
                "phi": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                "xi": {"type": "number"}, "lambda": {"type": "number"}, "gamma": {"type": "number"},
                "delta": {"type": "number"}, "grid": DURATION}}}},
        "cgm_sensor": {"type": "object", "additionalProperties": False, "required": ["type"], "properties": {
            "type": {"const": "cgm"}, "interval": DURATION, "warmup": DURATION, "session": DURATION,
            "noise_scale": {"type": "number", "minimum": 0}, "calibration_drift": PERCENT, "trend_window": DURATION,
            "compression_lows_per_night": {"type": "number", "minimum": 0},
            "signal_losses_per_day": {"type": "number", "minimum": 0},
            "compression_lows": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                 "required": ["start", "duration"], "properties": {
                                     "start": DURATION, "duration": DURATION, "depth": GLUCOSE}}},
            "signal_losses": {"type": "array", "items": WINDOW},
            "sensor_errors": {"type": "array", "items": WINDOW}}},
        "event": {"type": "object", "additionalProperties": False, "required": ["type"],
                  "description": "A scheduled event: 'at' an offset (2h30m) or a time of day (07:30, optionally "
                                 "daily), or 'when' a signal crosses a threshold.",
                  "properties": {"type": {"enum": EVENT_TYPES}, "at": {"anyOf": [DURATION, TIME_OF_DAY]},
                                 "daily": {"type": "boolean"},
                                 "when": {"type": "object", "additionalProperties": False, "required": ["signal"],
                                          "properties": {"signal": {"type": "string"}, "above": ANY_QUANTITY,
                                                         "below": ANY_QUANTITY, "delay": DURATION}},
                                 "target": {"type": "string"}, "label": {"type": "string"}} | EVENT_PARAMETERS,
                  "oneOf": [{"required": ["at"]}, {"required": ["when"]}]},
        "random_event": {"type": "object", "additionalProperties": False,
                         "required": ["type", "probability", "window"],
                         "properties": {"type": {"enum": EVENT_TYPES},
                                        "probability": {"type": "number", "minimum": 0, "maximum": 1},
                                        "daily": {"type": "boolean"}, "target": {"type": "string"},
                                        "window": {"type": "array", "minItems": 2, "maxItems": 2,
                                                   "items": {"anyOf": [DURATION, TIME_OF_DAY]}}}
                         | {key: distribution(value) for key, value in EVENT_PARAMETERS.items()}},
        "fault": {"type": "object", "additionalProperties": False, "required": ["type", "channel", "start"],
                  "properties": {"type": {"enum": ["disconnect", "dropout", "stuck", "spike", "drift"]},
                                 "channel": {"type": "string"}, "start": DURATION, "duration": DURATION,
                                 "amount": ANY_QUANTITY, "rate": ANY_QUANTITY}},
    },
}

text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
target = pathlib.Path(__file__).resolve().parents[1] / "profiles" / "schema.json"
if "--check" in sys.argv:
    if target.read_text() != text:
        sys.exit("profiles/schema.json is stale: run 'make schema'")
else:
    target.write_text(text)
