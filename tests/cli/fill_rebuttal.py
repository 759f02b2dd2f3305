#!/usr/bin/python3
"""Fills the rebuttal columns of an accuracy workbook the way a coder and a reviewer would
in Excel, from a rebuttal CSV (schemas/rebuttal-csv.md), and saves it under a new name.

    fill_rebuttal.py WORKBOOK.xlsx REBUTTAL.csv OUT.xlsx [--only-present]

With --only-present, CSV rows whose difference is not in the workbook (a coder's own
workbook holds only that coder's rows) are passed over instead of failing.

Each CSV row is located on the coder sheets by encounter, code type, outcome and codes
(the Ref column is left alone, as users are told to). openpyxl rewrites the file with
shared strings and its own styles: the importer must read that, not only our own bytes.
"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports"))
from workbook_reader import DIFF_HEADERS, load  # noqa: E402


def norm(code):
    return (code or "").replace(".", "").upper()


def main(workbook, rebuttal_csv, out, only_present=False):
    wb = load(workbook)
    col = {h: i + 1 for i, h in enumerate(DIFF_HEADERS)}
    with open(rebuttal_csv, newline="", encoding="utf-8") as f:
        wanted = list(csv.DictReader(f))
    filled = 0
    for want in wanted:
        hits = []
        for ws in wb.worksheets:
            if not ws.title.startswith("Coder "):
                continue
            # The table's header: row 1 of the team workbook, below the feedback block
            # of a coder's own workbook.
            header = next(r for r in range(1, ws.max_row + 1)
                          if ws.cell(row=r, column=1).value == "Ref")
            for r in range(header + 1, ws.max_row + 1):
                cell = lambda name: ws.cell(row=r, column=col[name]).value  # noqa: E731
                if (cell("Encounter") == want["encounter_id"]
                        and cell("Code type") == want["code_type"]
                        and cell("Outcome") == want["outcome"]
                        and norm(cell("Coder code")) == norm(want["coder_code"])
                        and norm(cell("Auditor code")) == norm(want["auditor_code"])):
                    hits.append((ws, r))
        if not hits and only_present:
            continue
        if len(hits) != 1:
            print(f"fill_rebuttal: {len(hits)} rows match {want}", file=sys.stderr)
            return 1
        ws, r = hits[0]
        ws.cell(row=r, column=col["Rebuttal"]).value = want["rebuttal"] or None
        ws.cell(row=r, column=col["Coder comment"]).value = want["coder_comment"] or None
        ws.cell(row=r, column=col["Final decision"]).value = want["decision"] or None
        ws.cell(row=r, column=col["Decision note"]).value = want["decision_note"] or None
        filled += 1
    wb.save(out)
    print(f"fill_rebuttal: {filled} rows filled in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4], only_present="--only-present" in sys.argv[4:]))
