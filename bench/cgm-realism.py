#!/usr/bin/env python3
"""Compares our adult preset with simglucose adults driven by the same meals.

Reads DIR/schedule.json and DIR/ours.csv written by
`devbridge-bench cgm-realism --out DIR`, runs simglucose (UVA/Padova 2008)
adult patients with a basal-bolus controller (simglucose's BBController
formula: bolus = carbs/CR + (G > 150)·(G − 140)/CF, basal u2ss·BW/6000 U/min)
on the same schedule, and prints the same metrics for both, computed by the
same code on plasma glucose sampled every minute.

For speed each patient's parameters are turned from a pandas Series into a
plain namespace (identical numbers, ~7x faster ODE right-hand side)."""
import argparse
import csv
import json
import logging
import statistics
import sys
import time
import types
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
import pkg_resources  # noqa: E402
from simglucose.patient.t1dpatient import Action, T1DPatient  # noqa: E402


def metrics(glucose, meal_minutes):
    """glucose: list of plasma mg/dL, one per minute."""
    n = len(glucose)
    m = {
        "mean": statistics.fmean(glucose),
        "sd": statistics.pstdev(glucose),
        "tir": 100 * sum(70 <= g <= 180 for g in glucose) / n,
        "tbr": 100 * sum(g < 70 for g in glucose) / n,
        "tar": 100 * sum(g > 180 for g in glucose) / n,
        "min": min(glucose),
        "max": max(glucose),
    }
    peaks = []
    for i, start in enumerate(meal_minutes):
        end = min(start + 240, meal_minutes[i + 1] if i + 1 < len(meal_minutes) else n, n)
        if end - start < 60:
            continue
        window = glucose[start:end]
        peaks.append(max(range(len(window)), key=window.__getitem__))
    m["peak_minutes"] = statistics.median(peaks) if peaks else float("nan")
    return m


def run_simglucose(name, days, meals_by_minute):
    patient = T1DPatient.withName(name)
    params = patient._params
    quest = pd.read_csv(pkg_resources.resource_filename("simglucose", "params/Quest.csv"))
    q = quest[quest.Name == name].iloc[0]
    patient._params = types.SimpleNamespace(**params.to_dict())
    basal = params.u2ss * params.BW / 6000  # U/min
    glucose = []
    for minute in range(days * 1440):
        glucose.append(patient.state[3] / params.Vg)  # plasma glucose (mg/dL)
        grams = meals_by_minute.get(minute, 0)
        insulin = basal
        if grams > 0:
            g = patient.observation.Gsub
            insulin += grams / q.CR + (g > 150) * (g - 140) / q.CF
        patient.step(Action(CHO=grams, insulin=insulin))
    return glucose


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="out/cgm-realism")
    ap.add_argument("--patients", default=",".join(f"adult#{i:03d}" for i in range(1, 11)))
    args = ap.parse_args()

    schedule = json.load(open(f"{args.dir}/schedule.json"))
    days = schedule["days"]
    meals = [(m["minute"], m["grams"]) for m in schedule["meals"]]
    meal_minutes = [m for m, _ in meals]
    meals_by_minute = {}
    for minute, grams in meals:
        meals_by_minute[minute] = meals_by_minute.get(minute, 0) + grams

    with open(f"{args.dir}/ours.csv") as f:
        ours = [float(row["glucose"]) for row in csv.DictReader(f)]
    ours_m = metrics(ours, meal_minutes)

    theirs = {}
    for name in args.patients.split(","):
        t0 = time.perf_counter()
        theirs[name] = metrics(run_simglucose(name, days, meals_by_minute), meal_minutes)
        print(f"  simglucose {name}: {days} days in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    keys = ["mean", "sd", "tir", "tbr", "tar", "min", "max", "peak_minutes"]
    pooled = {k: statistics.fmean(m[k] for m in theirs.values()) for k in keys}
    lo = {k: min(m[k] for m in theirs.values()) for k in keys}
    hi = {k: max(m[k] for m in theirs.values()) for k in keys}

    print(f"\ncgm-realism: {days} days, {len(meals)} meals ({sum(g for _, g in meals) / days:.0f} g/day), "
          f"basal-bolus therapy, plasma glucose every minute")
    print(f"{'metric':34} {'ours (adult)':>13} {'simglucose mean':>16} {'simglucose range':>20}")
    rows = [
        ("mean glucose (mg/dL)", "mean", "{:.0f}"),
        ("SD (mg/dL)", "sd", "{:.0f}"),
        ("time in range 70-180 (%)", "tir", "{:.1f}"),
        ("time below 70 (%)", "tbr", "{:.1f}"),
        ("time above 180 (%)", "tar", "{:.1f}"),
        ("min / max (mg/dL)", None, None),
        ("median meal-to-peak (min)", "peak_minutes", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        if key is None:
            o = f"{ours_m['min']:.0f}/{ours_m['max']:.0f}"
            t = f"{pooled['min']:.0f}/{pooled['max']:.0f}"
            r = f"{lo['min']:.0f}..{hi['max']:.0f}"
        else:
            o, t = fmt.format(ours_m[key]), fmt.format(pooled[key])
            r = f"{fmt.format(lo[key])}..{fmt.format(hi[key])}"
        print(f"{label:34} {o:>13} {t:>16} {r:>20}")
    print("\nper simglucose patient: " + ", ".join(
        f"{n.split('#')[1]} mean {m['mean']:.0f} TIR {m['tir']:.0f}% TBR {m['tbr']:.1f}%" for n, m in theirs.items()))
    explain(ours_m, pooled, lo, hi)
    return ours_m, pooled


def explain(ours, theirs, lo, hi):
    def side(key):
        if ours[key] > hi[key]:
            return "above the whole simglucose range"
        if ours[key] < lo[key]:
            return "below the whole simglucose range"
        return "inside the simglucose range"

    print("\nwhere we differ and why")
    print(f"- SD {ours['sd']:.0f} vs {theirs['sd']:.0f} mg/dL, time above 180 {ours['tar']:.1f} vs {theirs['tar']:.1f} % "
          f"({side('tar')}): Hovorka's glucose removal is driven by insulin; above 4.5 mmol/L the\n"
          "  insulin-independent flux F01 is constant, so there is little glucose effectiveness to blunt a\n"
          "  rise. UVA/Padova's utilisation grows with glucose (Michaelis-Menten), damping excursions.")
    print(f"- time below 70 {ours['tbr']:.1f} vs {theirs['tbr']:.1f} % ({side('tbr')}): our insulin action decays\n"
          "  slowly (ka1 = 0.006/min, ~3 h time constant), so boluses stack late after meals; our carb ratio\n"
          "  (28 g/U) is tuned on the model to trade late lows for higher peaks. simglucose uses each\n"
          "  patient's own CR/CF from its Quest.csv.")
    print(f"- meal-to-peak {ours['peak_minutes']:.0f} vs {theirs['peak_minutes']:.0f} min ({side('peak_minutes')}): "
          "both absorb carbs within about an hour\n"
          "  (Hovorka two-compartment gut, tmaxG 40 min; UVA/Padova eats at 5 g/min with nonlinear gastric\n"
          "  emptying).")
    print(f"- mean {ours['mean']:.0f} vs {theirs['mean']:.0f} mg/dL ({side('mean')}): our preset is tuned to 120 fasting "
          "and adds a dawn\n"
          "  phenomenon (+15 % EGP, 04:00-08:00); simglucose patients rest at their own basal steady state\n"
          "  and have no circadian term.")
    print("- population: one adult preset (published Hovorka population values, ~0.25 U/kg/day) against\n"
          "  virtual adults with individual parameters and doses; the range column is their spread.")


if __name__ == "__main__":
    main()
