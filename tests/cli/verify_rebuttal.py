#!/usr/bin/python3
"""Checks the rebuttal round trip and the trend on the sample audit.

    verify_rebuttal.py BEFORE.xlsx AFTER.xlsx expected_scores.csv
        BEFORE: the workbook of the original score run; AFTER: of the run re-scored from
        samples/rebuttal.csv. The changes are worked out by hand below from the eight
        rows of samples/rebuttal.csv (see samples/DESIGN.md § Rebuttal).
    verify_rebuttal.py --trend WORKBOOK.xlsx RUNS ENCOUNTERS
        the Trend sheet by month: several periods per coder, a line chart per coder, the
        runs it pools (Policy sheet, e.g. "7, 8") and the encounters they audited.
"""
import os
import sys
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "reports"))

from expected_accuracy import read_scores  # noqa: E402
from workbook_reader import read_policy, read_sheet, read_summary  # noqa: E402

# coder -> column -> change after the rebuttal (hand-worked from samples/rebuttal.csv):
#  C03 PR-0071 added F17.210 overturned: 1 error fewer, 1 match more, over-coded -1.
#  C04 OP-0080 revised upheld; OP-0043 added 96372 overturned: 1 error fewer, 1 match
#      more, over-coded -1, its $570.00 (6 units x $95) no longer overpaid.
#  C06 PR-0067 J3301 units overturned (the line keeps its modifier error: no new match),
#      IP-0071 resequenced + DRG 291 -> 293 overturned (1 match more, 1 DRG change fewer,
#      (1.3371 - 0.6409) x $6,000 = $4,177.20 and the units' $4.00 no longer overpaid),
#      IP-0002 DRG change upheld: 2 errors fewer, over-coded -2.
DELTAS = {
    "C03": {"Errors": -1, "Matches": 1, "Added": -1, "Over-coded": -1, "Rebutted": 1,
            "Overturned": 1},
    "C04": {"Errors": -1, "Matches": 1, "Added": -1, "Over-coded": -1, "Rebutted": 2,
            "Overturned": 1, "Overpayment": -570.00},
    "C06": {"Errors": -2, "Matches": 1, "Units": -1, "Resequenced": -1, "Over-coded": -2,
            "DRG changes": -1, "Rebutted": 4, "Overturned": 3,
            "Overpayment": -4177.20 - 4.00},
}
COLUMNS = ["Errors", "Matches", "Added", "Units", "Resequenced", "Over-coded", "DRG changes",
           "Rebutted", "Overturned", "Overpayment"]
AUDITORS = {"A01": (2, 2, 1), "A02": (5, 5, 4)}  # rebutted, decided, overturned

problems = []


def check(ok, message):
    if not ok:
        problems.append(message)


def rebuttal(before, after, expected_csv):
    exp = read_scores(expected_csv)
    b = {r["Coder"]: r for r in read_summary(before)}
    a = {r["Coder"]: r for r in read_summary(after)}
    for coder in sorted(exp):
        for c in COLUMNS:
            want = b[coder][c] + DELTAS.get(coder, {}).get(c, 0)
            check(abs(a[coder][c] - want) < 0.005,
                  f"{coder} {c}: {a[coder][c]} after the rebuttal, want {want}")
        acc = a[coder]["Matches"] / (a[coder]["Matches"] + a[coder]["Weighted errors"])
        check(abs(a[coder]["Code accuracy"] - acc) < 1e-12, f"{coder} code accuracy")
    check(a["C03"]["Code accuracy"] > b["C03"]["Code accuracy"], "C03 accuracy did not rise")
    for row in read_sheet(after, "Auditors"):
        want = AUDITORS.get(row["Auditor"])
        got = (row["Rebutted"], row["Decided"], row["Overturned"])
        check(want == got, f"auditor {row['Auditor']}: {got}, want {want}")
        if row["Decided"]:
            check(abs(row["Overturn rate"] - row["Overturned"] / row["Decided"]) < 1e-12,
                  f"auditor {row['Auditor']} overturn rate")
    # The decisions are on the coder sheets of the new run, ready for another round.
    c06 = read_sheet(after, "Coder C06")
    decided = [(r["Encounter"], r["Outcome"], r["Final decision"]) for r in c06
               if r["Final decision"]]
    check(("IP-0071", "resequenced", "overturned") in decided and
          ("IP-0002", "drg", "upheld") in decided, f"C06 decisions {decided}")


def trend(path, runs, encounters):
    rows = read_sheet(path, "Trend")
    policy = read_policy(path)
    check(str(policy.get("trend runs")) == runs, f"trend runs {policy.get('trend runs')}, want {runs}")
    total = sum(r["Encounters"] for r in rows)
    check(total == int(encounters), f"trend encounters {total}, want {encounters}")
    periods = {}
    for r in rows:
        check(len(r["Period"]) == 7 and r["Period"][4] == "-", f"period {r['Period']}")
        periods.setdefault(r["Coder"], []).append(r["Period"])
    check(sorted(periods) == [f"C0{i}" for i in range(1, 8)], f"trend coders {sorted(periods)}")
    for coder, ps in periods.items():
        check(ps == sorted(ps) and len(ps) >= 2, f"{coder} periods {ps}")
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        # The Summary's chart is a line chart too (points and the benchmark): count the
        # ones drawn from the Trend sheet.
        lines = [n for n in charts if b"<c:lineChart>" in z.read(n) and b"Trend!" in z.read(n)]
    check(len(lines) == 7, f"{len(lines)} trend line charts, want one per coder")


def main(argv):
    if argv[1] == "--trend":
        trend(argv[2], argv[3], argv[4])
    else:
        rebuttal(argv[1], argv[2], argv[3])
    for p in problems:
        print("MISMATCH", p)
    print(f"verify_rebuttal: {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
