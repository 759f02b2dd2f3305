#!/usr/bin/python3
"""Checks the Appraisal sheet of an extrapolation workbook against figures computed here,
independently of coderaudit, from the stored sample and the reviewed amounts.

    verify_extrapolation.py SAMPLE_JSON REVIEWED_CSV WORKBOOK

SAMPLE_JSON is `coderaudit sample show --format json` (strata with their frame sizes,
items with their stratum); REVIEWED_CSV has encounter_id,examined,audited. The rules are
SAMPLING.md's and RAT-STATS's (audit/sampling/DETAILS.md): SD on n - 1, none when the
values sum to 0; skewness and kurtosis from population moments, 0 below a population SD
of 1; each stratum's limits with its own t (read from the sheet, checked to be used), the
overall limits with RAT-STATS's z; the demand amount the overall 80% lower limit of the
difference. Exit status 0 when every check passes; failures are listed on stderr.
"""
import csv
import json
import math
import sys

import openpyxl

Z = {80: 1.281551565545, 90: 1.644853626951, 95: 1.95996398454}
SETS = ("examined", "audited", "difference")
HEADER = ["Stratum", "Value set", "n", "N", "Mean", "SD", "Skewness", "Kurtosis", "SE mean",
          "SE total", "Point estimate", "Confidence %", "t or z", "Lower", "Upper",
          "Precision", "Precision %"]
failures = []


def close(label, got, want, rel=1e-9):
    if got is None or not math.isclose(got, want, rel_tol=rel, abs_tol=1e-9):
        failures.append(f"{label}: workbook {got!r}, expected {want!r}")


def stats(values, universe):
    n = len(values)
    s1 = sum(values)
    s2 = sum(v * v for v in values)
    mean = s1 / n
    sd = 0.0
    if s1 != 0 and n > 1 and s1 * s1 / n < s2:
        sd = math.sqrt((s2 - s1 * s1 / n) / (n - 1))
    m2 = s2 / n - mean ** 2
    pop_sd = math.sqrt(m2) if m2 > 0 else 0.0
    skew = kurt = 0.0
    if pop_sd >= 1:
        m3 = sum((v - mean) ** 3 for v in values) / n
        m4 = sum((v - mean) ** 4 for v in values) / n
        skew, kurt = m3 / pop_sd ** 3, m4 / pop_sd ** 4
    se_mean = sd / math.sqrt(n) * math.sqrt((universe - n) / universe) if n > 1 else 0.0
    return {"n": n, "N": universe, "mean": mean, "sd": sd, "skew": skew, "kurt": kurt,
            "se_mean": se_mean, "se_total": se_mean * universe, "point": mean * universe}


def main():
    sample_path, reviewed_path, workbook_path = sys.argv[1:4]
    sample = json.load(open(sample_path))
    amounts = {}
    with open(reviewed_path, newline="") as f:
        for row in csv.DictReader(f):
            e, a = float(row["examined"]), float(row["audited"])
            amounts[row["encounter_id"]] = {"examined": e, "audited": a, "difference": e - a}
    subs = {s["replaced"]: s["spare"] for s in sample.get("substitutions", [])}
    values = {}
    for item in sample["items"]:
        if item["role"] == "sample":
            enc = subs.get(item["encounter_id"], item["encounter_id"])
            values.setdefault(item["stratum"], []).append(amounts[enc])
    expected = {}
    for st in sample["strata"]:
        rows = values[st["stratum"]]
        for vs in SETS:
            expected[(st["stratum"], vs)] = stats([r[vs] for r in rows], st["frame_size"])
    for vs in SETS:
        parts = [expected[(st["stratum"], vs)] for st in sample["strata"]]
        variance = sum(p["N"] * (p["N"] - p["n"]) * p["sd"] ** 2 / p["n"] for p in parts)
        universe = sum(p["N"] for p in parts)
        se_total = math.sqrt(variance)
        expected[("OVERALL", vs)] = {"n": sum(p["n"] for p in parts), "N": universe,
                                     "point": sum(p["point"] for p in parts),
                                     "se_total": se_total, "se_mean": se_total / universe}

    sheet = openpyxl.load_workbook(workbook_path, read_only=True)["Appraisal"]
    rows = list(sheet.iter_rows(values_only=True))
    if list(rows[0][:len(HEADER)]) != HEADER:
        failures.append(f"Appraisal header {rows[0]!r}")
    seen = set()
    demand = None
    for row in rows[1:]:
        if row[0] == "Demand amount":
            demand = row[1]
            continue
        if row[0] is None or (row[0], row[1]) not in expected:
            continue
        key = (row[0], row[1])
        want = expected[key]
        c = dict(zip(HEADER, row))
        conf = int(round(c["Confidence %"]))
        label = f"{row[0]} {row[1]} {conf}%"
        seen.add((key, conf))
        if c["n"] != want["n"] or c["N"] != want["N"]:
            failures.append(f"{label}: n, N {c['n']}, {c['N']} expected {want['n']}, {want['N']}")
        for col, name in (("Point estimate", "point"), ("SE total", "se_total"),
                          ("SE mean", "se_mean")):
            close(f"{label} {col}", c[col], want[name])
        if row[0] == "OVERALL":
            close(f"{label} z", c["t or z"], Z[conf], rel=1e-12)
            for col in ("Mean", "SD", "Skewness", "Kurtosis"):
                if c[col] is not None:
                    failures.append(f"{label} {col}: {c[col]!r}, expected an empty cell")
        else:
            for col, name in (("Mean", "mean"), ("SD", "sd"), ("Skewness", "skew"),
                              ("Kurtosis", "kurt")):
                close(f"{label} {col}", c[col], want[name], rel=1e-7)
        precision = c["t or z"] * want["se_total"]
        close(f"{label} Lower", c["Lower"], want["point"] - precision)
        close(f"{label} Upper", c["Upper"], want["point"] + precision)
        close(f"{label} Precision", c["Precision"], precision)
        pct = precision / want["point"] * 100 if want["point"] > 0 else 0.0
        close(f"{label} Precision %", c["Precision %"], pct)
    missing = [f"{k[0]} {k[1]} {conf}%" for k in expected for conf in Z if (k, conf) not in seen]
    if missing:
        failures.append("rows missing from the Appraisal sheet: " + ", ".join(missing))
    overall = expected[("OVERALL", "difference")]
    close("Demand amount", demand, overall["point"] - Z[80] * overall["se_total"])
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{len(seen)} appraisal rows checked, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
