#!/usr/bin/python3
"""Synthetic input for timing the whole coder-QA pipeline from the store (check -> score
-> report), not only the workbook writer (bench_workbook). Never run by the tests.

    bench_pipeline.py OUT_DIR [--coders 1000] [--encounters 100]

Writes OUT_DIR/encounters.csv (professional claims, 5 DX + 3 CPT lines each) and
OUT_DIR/auditor.csv (about 20% of encounters with an added+omitted pair, 10% with an E/M
level change). Made-up ids only. Then, as in reports/WORKBOOK.md § Measured:

    /usr/bin/time -v coderaudit check --rules samples/rules/facility.xml --db big.db OUT/encounters.csv
    /usr/bin/time -v coderaudit score --db big.db --auditor OUT/auditor.csv
    /usr/bin/time -v coderaudit report --db big.db --out big.xlsx
"""
import argparse
import csv
import os
import random

DX = ["I10", "E11.9", "E78.5", "K21.9", "F32.A", "J44.1", "N18.31", "E03.9", "M81.0",
      "G47.33", "I48.91", "D64.9"]
CPT = ["99213", "99214", "36415", "85025", "80053", "93000", "71046", "96372"]
ENC_HEADER = ("encounter_id,patient_id,sex,birth_date,from_date,through_date,claim_type,"
              "provider_id,coder_id,payer,drg,discharge_status,code_type,seq,code,poa,"
              "modifiers,units,service_date,charge").split(",")
AUD_HEADER = ("encounter_id,auditor_id,code_type,seq,code,poa,modifiers,units,service_date,"
              "drg,reason,comment,removed").split(",")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--coders", type=int, default=1000)
    ap.add_argument("--encounters", type=int, default=100)
    a = ap.parse_args()
    rng = random.Random(7)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "encounters.csv"), "w", newline="") as ef, \
            open(os.path.join(a.out, "auditor.csv"), "w", newline="") as af:
        we, wa = csv.writer(ef, lineterminator="\n"), csv.writer(af, lineterminator="\n")
        we.writerow(ENC_HEADER)
        wa.writerow(AUD_HEADER)
        for c in range(a.coders):
            for e in range(a.encounters):
                eid, month = f"E{c:04d}-{e:03d}", 1 + e % 12
                dxs, cpts = rng.sample(DX, 5), rng.sample(CPT, 3)
                head = [eid, f"P{c}-{e}", "F", "1960-01-01", f"2024-{month:02d}-05",
                        f"2024-{month:02d}-05", "professional", "9999999991", f"C{c:04d}",
                        "X", "", ""]
                rows = ([["DX", str(i + 1), d, "", "", "", "", ""] for i, d in enumerate(dxs)] +
                        [["HCPCS", "", p, "", "", "1", "", "100.00"] for p in cpts])
                for k, r in enumerate(rows):
                    we.writerow((head if k == 0 else [eid] + [""] * 11) + r)
                adx, acpt = list(dxs), list(cpts)
                roll = rng.random()
                if roll < 0.2:
                    adx[4] = "Z79.899"  # the coder's 5th diagnosis added, Z79.899 omitted
                elif roll < 0.3:
                    acpt[0] = "99215" if acpt[0] != "99215" else "99212"
                for i, d in enumerate(adx):
                    wa.writerow([eid, "A01" if i == 0 else "", "DX", str(i + 1), d, "", "", "",
                                 "", "", "DOC" if d == "Z79.899" else "", "", ""])
                for p in acpt:
                    wa.writerow([eid, "", "HCPCS", "", p, "", "", "1", "", "", "", "", ""])


if __name__ == "__main__":
    main()
