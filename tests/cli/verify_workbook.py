#!/usr/bin/python3
"""Compares the Summary sheet of a per-coder accuracy workbook with values computed
independently from the sample generator's ground truth (expected_accuracy.py)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "reports"))

from expected_accuracy import expected  # noqa: E402
from workbook_reader import read_summary  # noqa: E402

COUNTS = {
    "Encounters": "encounters",
    "Codes reviewed": "codes_reviewed",
    "Matches": "matches",
    "Errors": "errors",
    "Added": "added",
    "Omitted": "omitted",
    "Revised": "revised",
    "Resequenced": "resequenced",
    "Modifier": "modifier",
    "Units": "units",
    "Error-free encounters": "error_free_encounters",
    "POA": "poa",
    "DRG encounters": "drg_encounters",
    "DRG changes": "drg_changes",
    "Over-coded": "over_coded",
    "Under-coded": "under_coded",
}
MONEY = {"Overpayment": "overpayment", "Underpayment": "underpayment"}
RATES = {  # column -> (key, index into an interval or None)
    "Code accuracy": ("code_accuracy", None),
    "Code CI low": ("code_ci", 0),
    "Code CI high": ("code_ci", 1),
    "Claim accuracy": ("claim_accuracy", None),
    "Claim CI low": ("claim_ci", 0),
    "Claim CI high": ("claim_ci", 1),
    "DRG accuracy": ("drg_accuracy", None),
    "DRG CI low": ("drg_ci", 0),
    "DRG CI high": ("drg_ci", 1),
}


def main(workbook, expected_csv):
    want = expected(expected_csv)
    rows = {str(r["Coder"]): r for r in read_summary(workbook)}
    problems = []
    if sorted(rows) != sorted(want):
        problems.append(f"coders differ: workbook {sorted(rows)} expected {sorted(want)}")
    for coder, exp in sorted(want.items()):
        row = rows.get(coder)
        if row is None:
            continue
        for col, key in COUNTS.items():
            if int(row[col]) != int(exp[key]):
                problems.append(f"{coder} {col}: workbook {row[col]} expected {exp[key]}")
        for col, (key, i) in RATES.items():
            want_value = exp[key] if i is None else exp[key][i]
            if abs(float(row[col]) - float(want_value)) > 1e-9:
                problems.append(f"{coder} {col}: workbook {row[col]} expected {want_value}")
        for col, key in MONEY.items():
            if abs(float(row[col]) - exp[key]) > 0.005:
                problems.append(f"{coder} {col}: workbook {row[col]} expected {exp[key]}")
        want_result = "PASS" if exp["pass"] else "FAIL"
        if row["Result"] != want_result:
            problems.append(f"{coder} Result: workbook {row['Result']} expected {want_result}")
    for p in problems:
        print("MISMATCH", p)
    print(f"{len(want)} coders checked, {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
