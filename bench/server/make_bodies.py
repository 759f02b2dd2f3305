#!/usr/bin/env python3
"""Turns an encounter CSV (coderaudit generate) into JSON claim-model request bodies for
the server benchmark: OUT/single/NNNNN.json (one claim each) and OUT/batch/NNNNN.json
(BATCH claims each), and prints "claims lines" of what it wrote.

    python3 bench/server/make_bodies.py CLAIMS.csv OUT_DIR SINGLES BATCHES BATCH
"""
import csv
import json
import os
import sys

LINE_COLUMNS = {"code_type", "seq", "code", "poa", "modifiers", "units", "service_date",
                "charge"}


def claims(path):
    with open(path, newline="") as f:
        rows = csv.DictReader(f)
        claim, lines = None, 0
        for row in rows:
            if row["encounter_id"] != (claim or {}).get("encounter_id"):
                if claim:
                    yield claim, lines
                claim = {k: v for k, v in row.items() if k not in LINE_COLUMNS and v != ""}
                lines = 0
            lines += 1
            kind = row["code_type"]
            if kind == "DX":
                d = {"code": row["code"], "seq": int(row["seq"])}
                if row["poa"]:
                    d["poa"] = row["poa"]
                claim.setdefault("diagnoses", []).append(d)
            elif kind == "PCS":
                p = {"code": row["code"], "seq": int(row["seq"])}
                if row["service_date"]:
                    p["date"] = row["service_date"]
                claim.setdefault("procedures", []).append(p)
            else:
                l = {"code": row["code"]}
                if row["seq"]:
                    l["seq"] = int(row["seq"])
                if row["modifiers"]:
                    l["modifiers"] = row["modifiers"].split(";")
                if row["units"]:
                    u = float(row["units"])
                    l["units"] = int(u) if u.is_integer() else u
                if row["service_date"]:
                    l["date"] = row["service_date"]
                if row["charge"]:
                    l["charge"] = row["charge"]
                claim.setdefault("lines", []).append(l)
        if claim:
            yield claim, lines


def main():
    src, out, singles, batches, batch = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    for sub in ("single", "batch"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    it = claims(src)
    written = [0, 0]
    for i in range(singles):
        claim, lines = next(it)
        with open(os.path.join(out, "single", f"{i:05d}.json"), "w") as f:
            json.dump(claim, f, separators=(",", ":"))
        written[0] += 1
        written[1] += lines
    batch_lines = 0
    for b in range(batches):
        group = []
        for _ in range(batch):
            claim, lines = next(it)
            group.append(claim)
            batch_lines += lines
        with open(os.path.join(out, "batch", f"{b:05d}.json"), "w") as f:
            json.dump({"claims": group}, f, separators=(",", ":"))
    print(written[0], written[1], batches * batch, batch_lines)


if __name__ == "__main__":
    main()
