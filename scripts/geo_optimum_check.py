#!/usr/bin/env python3
"""Checks `rtcc plan` against the exact optimum on small random instances.

For each seeded instance it writes candidate sites (CSV) and demand (an area polygon or incidents), runs
`rtcc plan --json --instance-out FILE`, and solves the same maximum-coverage problem exactly as an integer program with
scipy.optimize.milp (HiGHS):

    maximise  sum_i w_i y_i
    subject to  sum_h x_{s,h} <= 1 for every site s      (one heading per site)
                sum_j x_j <= N                           (budget)
                y_i <= sum_{j covers i} x_j              (a cell counts once it is covered)
                x_j in {0, 1}, 0 <= y_i <= 1

The instance file holds the demand weights and the cells each site-heading covers as rtcc computed them, so the IP
solves exactly the problem the optimiser saw; the script also recomputes the plan's value from the chosen cameras.
It asserts value >= 99 % of the optimum and upper_bound >= optimum, prints 'N passed, M failed', and exits non-zero on
any failure.

Usage: scripts/geo_optimum_check.py [--rtcc .build/debug/rtcc] [--instances 12]
Needs numpy and scipy (.venv/bin/pip install scipy).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

HEADINGS = [0, 90, 180, 270]


def offset(lat, lon, east, north):
    """Latitude/longitude `east`, `north` metres from (lat, lon) (local approximation; exactness is not needed here)."""
    return lat + north / 111_320.0, lon + east / (111_320.0 * math.cos(math.radians(lat)))


def make_instance(seed, folder):
    rng = random.Random(seed)
    lat0, lon0 = rng.uniform(-50, 60), rng.uniform(-170, 170)
    side = rng.uniform(300, 500)
    sites = rng.randint(30, 60)
    budget = rng.randint(3, 8)
    with open(os.path.join(folder, "sites.csv"), "w") as f:
        f.write("latitude,longitude,mount_height_m,name\n")
        for k in range(sites):
            lat, lon = offset(lat0, lon0, rng.uniform(0, side), rng.uniform(0, side))
            f.write(f"{lat:.7f},{lon:.7f},{rng.uniform(3, 8):.1f},s{k}\n")
    corners = [offset(lat0, lon0, e, n) for e, n in [(0, 0), (side, 0), (side, side), (0, side), (0, 0)]]
    with open(os.path.join(folder, "area.geojson"), "w") as f:
        json.dump({"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in corners]]}, f)
    args = ["--candidates", os.path.join(folder, "sites.csv"), "--budget", str(budget), "--fov", str(rng.choice([60, 90, 120])),
            "--range", str(rng.choice([60, 80, 100])), "--headings", ",".join(map(str, HEADINGS)),
            "--area", os.path.join(folder, "area.geojson")]
    if seed % 2:  # kernel-density demand from clustered incidents, clipped to the area
        with open(os.path.join(folder, "incidents.csv"), "w") as f:
            f.write("time,type,latitude,longitude\n")
            hot = [(rng.uniform(0, side), rng.uniform(0, side)) for _ in range(5)]
            for _ in range(80):
                e, n = rng.choice(hot)
                lat, lon = offset(lat0, lon0, e + rng.gauss(0, 30), n + rng.gauss(0, 30))
                f.write(f"2026-11-{rng.randint(1, 30):02d}T12:00:00Z,theft,{lat:.7f},{lon:.7f}\n")
        args += ["--incidents", os.path.join(folder, "incidents.csv"), "--bandwidth", "40"]
    cell = side / rng.randint(15, 22)  # a few hundred cells
    args += ["--cell", f"{cell:.3f}"]
    return args, budget


def optimum(instance):
    weights = np.array(instance["weights"], dtype=float)
    options = instance["options"]
    cells = [i for i in range(len(weights)) if weights[i] > 0]
    index = {c: k for k, c in enumerate(cells)}
    n, m = len(options), len(cells)
    sites = sorted({o["site"] for o in options})
    rows = len(sites) + 1 + m
    a = lil_matrix((rows, n + m))
    upper = np.zeros(rows)
    for r, s in enumerate(sites):
        for j, o in enumerate(options):
            if o["site"] == s:
                a[r, j] = 1
        upper[r] = 1
    a[len(sites), :n] = 1
    upper[len(sites)] = instance["budget"]
    for j, o in enumerate(options):
        for c in o["cells"]:
            if c in index:
                a[len(sites) + 1 + index[c], j] = -1
    for k in range(m):
        a[len(sites) + 1 + k, n + k] = 1
    objective = np.concatenate([np.zeros(n), -weights[cells]])
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    result = milp(objective, constraints=LinearConstraint(a.tocsr(), -np.inf, upper), integrality=integrality,
                  bounds=Bounds(0, 1), options={"mip_rel_gap": 1e-9})
    if not result.success:
        raise RuntimeError(f"HiGHS failed: {result.message}")
    return -result.fun


def plan_value(instance, summary):
    weights = instance["weights"]
    by_key = {(o["site"], o["heading"]): o["cells"] for o in instance["options"]}
    covered = set()
    for choice in summary["chosen"]:
        covered.update(by_key[(choice["site"], HEADINGS.index(int(round(choice["heading_deg"]))))])
    return sum(weights[c] for c in covered)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtcc", default=os.environ.get("RTCC", ".build/debug/rtcc"))
    parser.add_argument("--instances", type=int, default=12)
    options = parser.parse_args()
    passed = failed = 0
    for seed in range(1, options.instances + 1):
        with tempfile.TemporaryDirectory() as folder:
            args, budget = make_instance(seed, folder)
            instance_file = os.path.join(folder, "instance.json")
            run = subprocess.run([options.rtcc, "plan", *args, "--json", "--instance-out", instance_file], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"instance {seed}: rtcc plan failed: {run.stderr.strip()}")
                failed += 1
                continue
            summary = json.loads(run.stdout)
            with open(instance_file) as f:
                instance = json.load(f)
            best = optimum(instance)
            value, bound = summary["value"], summary["upper_bound"]
            recomputed = plan_value(instance, summary)
            problems = []
            if abs(recomputed - value) > 1e-6 * max(1, best):
                problems.append(f"reported value {value} but the chosen cameras cover {recomputed}")
            if value < 0.99 * best - 1e-9:
                problems.append(f"value {value:.4f} is below 99 % of the optimum {best:.4f}")
            if bound < best - 1e-6 * max(1, best):
                problems.append(f"upper bound {bound:.4f} is below the optimum {best:.4f}")
            if len({c['site'] for c in summary['chosen']}) != len(summary["chosen"]) or len(summary["chosen"]) > budget:
                problems.append("the plan breaks the one-per-site or budget constraint")
            cells = sum(1 for w in instance["weights"] if w > 0)
            ratio = value / best if best > 0 else 1.0
            status = "ok" if not problems else "FAIL: " + "; ".join(problems)
            print(f"instance {seed}: {len(instance['options'])} options, {cells} cells, budget {budget}: "
                  f"value {value:.4f}, optimum {best:.4f} ({ratio * 100:.2f} %), bound {bound:.4f} — {status}")
            if problems:
                failed += 1
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
