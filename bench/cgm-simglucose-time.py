#!/usr/bin/env python3
"""Times stock simglucose (T1DSimEnv + BBController, adult#001, Dexcom sensor,
Insulet pump, a random meal scenario) for a few simulated days.
Prints SIMGLUCOSE_SECONDS_PER_DAY=<float>."""
import argparse
import logging
import time
import warnings
from datetime import datetime, timedelta

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

from simglucose.actuator.pump import InsulinPump  # noqa: E402
from simglucose.controller.basal_bolus_ctrller import BBController  # noqa: E402
from simglucose.patient.t1dpatient import T1DPatient  # noqa: E402
from simglucose.sensor.cgm import CGMSensor  # noqa: E402
from simglucose.simulation.env import T1DSimEnv  # noqa: E402
from simglucose.simulation.scenario_gen import RandomScenario  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=2)
    ap.add_argument("--patient", default="adult#001")
    args = ap.parse_args()

    start = datetime(2026, 1, 1, 0, 0, 0)
    patient = T1DPatient.withName(args.patient)
    sensor = CGMSensor.withName("Dexcom", seed=1)
    pump = InsulinPump.withName("Insulet")
    scenario = RandomScenario(start_time=start, seed=1)
    env = T1DSimEnv(patient, sensor, pump, scenario)
    controller = BBController()

    t0 = time.perf_counter()
    obs, reward, done, info = env.reset()
    end = start + timedelta(days=args.days)
    steps = 0
    while env.time < end:
        action = controller.policy(obs, reward, done, **info)
        obs, reward, done, info = env.step(action)
        steps += 1
    elapsed = time.perf_counter() - t0
    print(f"simglucose: {args.days:g} simulated days ({steps} env steps of {env.sample_time:g} min) "
          f"in {elapsed:.2f} s, {elapsed / args.days:.2f} s per simulated day")
    print(f"SIMGLUCOSE_SECONDS_PER_DAY={elapsed / args.days:.6f}")


if __name__ == "__main__":
    main()
