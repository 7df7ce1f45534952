"""`devbridge profile …` driven as a user would, and the JSON Schema checked by a real validator."""
import csv
import io
import json
import pathlib
import subprocess

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))


class EditorLoader(yaml.SafeLoader):
    """YAML as editors validate it: timestamps stay strings (as in YAML 1.2's core schema)."""


EditorLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_every_shipped_profile_validates_against_the_schema():
    schema = json.loads((ROOT / "profiles" / "schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert PROFILES, "no shipped profiles found"
    for path in PROFILES:
        errors = list(validator.iter_errors(yaml.load(path.read_text(), Loader=EditorLoader)))
        assert not errors, f"{path.name}: {[e.message for e in errors]}"


def test_schema_rejects_an_unknown_key():
    schema = json.loads((ROOT / "profiles" / "schema.json").read_text())
    bad = {"channels": {"pit": {"curve": {"knots": [["0s", "70F"]]}, "sensr": {}}}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_profile_run_brisket_csv_must_show(run):
    out = run("profile", "run", "profiles/smoker-brisket.yaml", "--until", "16h", "--every", "1m", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0].keys())[:4] == ["elapsed_s", "time", "pit_F", "meat1_F"]
    assert len(rows) == 16 * 60 + 1
    meat = [float(r["meat1_F"]) for r in rows]
    pit = [float(r["pit_F"]) for r in rows]
    stall = any(
        all(145 <= m <= 175 for m in meat[i : i + 121]) and meat[i + 120] - meat[i] < 10 for i in range(len(meat) - 120)
    )
    assert stall, "no 2-hour stall between 145 and 175 °F"
    wrap = next(i for i, r in enumerate(rows) if "wrap" in r["events"])
    assert meat[wrap + 120] - meat[wrap] > 15, "no climb after the wrap"
    done = next(i for i, m in enumerate(meat) if m >= 203)
    assert 600 <= done <= 960, f"203 °F at {done / 60:.2f} h"
    reached = next(i for i, p in enumerate(pit) if p >= 225)
    lids = [i for i, r in enumerate(rows) if "lid" in r["events"]]
    for minute in range(reached, len(pit)):
        if any(0 <= minute - lid <= 15 for lid in lids):
            continue
        assert abs(pit[minute] - 225) <= 15, f"pit {pit[minute]} at minute {minute}"


def test_same_seed_same_bytes_other_seed_other_noise(run):
    args = ("profile", "run", "smoker-brisket", "--until", "3h", "--every", "30s")
    first = run(*args).stdout
    assert first == run(*args).stdout
    assert first != run(*args, "--seed", "9").stdout


def test_jsonl_output(run):
    out = run("profile", "run", "smoker-probe-faults", "--until", "2h", "--every", "1m", "--format", "jsonl")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 121
    assert {"elapsed_s", "time", "pit", "meat1", "meat2", "meat3"} <= set(lines[0])
    # meat2 is unplugged from 1h to 1h15m: null readings.
    assert lines[65]["meat2"] is None and lines[50]["meat2"] is not None


def test_bad_profile_error_names_file_line_and_key(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("clock: {duration: 2h}\nchannels:\n  pit:\n    curve: {knots: [[0s, 70F]]}\n"
                   "events:\n  - {at: 3h, type: probe_disconnect, target: pit}\n")
    result = run("profile", "check", bad, check=False)
    assert result.returncode != 0
    assert f"{bad}:6:" in result.stderr and "events[0].at" in result.stderr and "past the end" in result.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text("channels:\n  pit:\n    curve: {knots: [[0s, 70F]]}\n    sensr: {lag: 5s}\n")
    result = run("profile", "check", typo, check=False)
    assert result.returncode != 0 and f"{typo}:4:5: channels.pit.sensr" in result.stderr
    assert "did you mean 'sensor'" in result.stderr


def test_profile_names_work_from_any_directory(run, tmp_path):
    result = run("profile", "check", "smoker-ribs-321", cwd=tmp_path)
    assert "OK" in result.stdout


def test_unknown_profile_lists_shipped_ones(run, tmp_path):
    result = run("profile", "check", "smoker-nope", check=False, cwd=tmp_path)
    assert result.returncode != 0 and "smoker-brisket" in result.stderr


def test_help_teaches_with_examples(run):
    for command in (["profile", "run"], ["profile", "plot"], ["profile", "check"], ["sim"]):
        text = run(*command, "--help").stdout
        assert "Example" in text or "example" in text, command
    assert run("--version").stdout.strip()
