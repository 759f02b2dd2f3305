#!/usr/bin/python3
"""Checks coders' own feedback workbooks against the team workbook of the same run.

    verify_feedback.py TEAM.xlsx DIR WITH_MATCHES.xlsx

DIR holds the workbooks of report --per-coder (coder-<id>.xlsx); WITH_MATCHES.xlsx is one
coder's workbook written with --matches. For each: no other coder's id in any cell of any
sheet, and no row of another coder; the block on top shows the coder's Result and code
accuracy as the team Summary does; their rows are exactly their rows of the team workbook,
counted errors first, matches only with --matches; the fill-in columns are marked and
their drop-downs sit on exactly the table's rows; every sheet has the print layout.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports"))
from workbook_reader import DIFF_HEADERS, excel_text, load, read_sheet, read_summary  # noqa: E402

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def table(ws):
    """(header row number, rows as dicts) of a coder sheet with a block above its table."""
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Ref")
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        values = [excel_text(ws.cell(row=r, column=c + 1).value) for c in range(len(DIFF_HEADERS))]
        if any(v is not None for v in values):
            rows.append(dict(zip(DIFF_HEADERS, values)))
    return header, rows


def block(ws, header):
    """The key/value pairs of the block above the table (keys in columns B and F)."""
    out = {}
    for r in range(1, header):
        for key_col in (2, 6):
            key = ws.cell(row=r, column=key_col).value
            if isinstance(key, str):
                out[key] = ws.cell(row=r, column=key_col + 1).value
    return out


def verify(path, coder, team_rows, team_summary, all_coders, with_matches):
    name = os.path.basename(path)
    wb = load(path)
    others = [c for c in all_coders if c != coder]
    sheet = f"Coder {coder}"
    check(wb.sheetnames[0] == sheet, f"{name}: first sheet {wb.sheetnames[0]}, want {sheet}")
    for forbidden in ("Summary", "Summary detail", "Auditors"):
        check(forbidden not in wb.sheetnames, f"{name}: has a {forbidden} sheet")
    for ws in wb.worksheets:
        # No other coder, anywhere: not as a cell, not inside a text, not a sheet name.
        check(not any(o in ws.title for o in others), f"{name}: sheet {ws.title}")
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str):
                    for o in others:
                        check(o not in v, f"{name} [{ws.title}]: another coder's id in {v!r}")
        check(ws.page_setup.orientation == "landscape", f"{name} [{ws.title}]: not landscape")
        check(ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0,
              f"{name} [{ws.title}]: not fit to width")
        check((ws.oddFooter.left.text or "").startswith("Score run 2"),
              f"{name} [{ws.title}]: footer {ws.oddFooter.left.text!r}")
    for ws_name in ("Trend", "Error categories", "Findings"):
        if ws_name in wb.sheetnames:
            coders = set()
            for r in read_sheet(path, ws_name):
                if ws_name == "Error categories" and r.get("Code type") is None:
                    break  # the top error codes table below has no Coder column
                coders.add(r.get("Coder"))
            check(coders <= {coder}, f"{name} [{ws_name}]: coders {coders}")

    ws = wb[sheet]
    header, rows = table(ws)
    check(header > 1, f"{name}: no block above the table")
    check(ws.freeze_panes == f"A{header + 1}", f"{name}: freeze panes {ws.freeze_panes}")
    check(ws.print_title_rows == f"${header}:${header}", f"{name}: repeated rows {ws.print_title_rows}")
    info = block(ws, header)
    want = team_summary[coder]
    check(info.get("Result") == want["Result"], f"{name}: Result {info.get('Result')} want {want['Result']}")
    check(abs((info.get("Code accuracy") or -1) - want["Code accuracy"]) < 1e-12,
          f"{name}: code accuracy {info.get('Code accuracy')} want {want['Code accuracy']}")
    check(info.get("Counted errors") == want["Errors"], f"{name}: errors {info.get('Counted errors')}")
    check(ws.cell(row=1, column=1).value == f"Coding feedback for coder {coder}",
          f"{name}: title {ws.cell(row=1, column=1).value!r}")
    # Exactly the coder's rows of the team workbook (same refs); matches only if asked.
    mine = [r for r in team_rows if with_matches or r["Outcome"] != "match"]
    check(sorted(r["Ref"] for r in rows) == sorted(r["Ref"] for r in mine),
          f"{name}: refs {[r['Ref'] for r in rows]}")
    check(any(r["Outcome"] == "match" for r in rows) == with_matches and
          any(r["Outcome"] != "match" for r in rows), f"{name}: matches listed: {not with_matches}")
    # Errors first: no difference after the first match.
    outcomes = [r["Outcome"] for r in rows]
    if "match" in outcomes:
        first = outcomes.index("match")
        check(all(o == "match" for o in outcomes[first:]), f"{name}: a difference after a match")
    # The columns to fill in are marked, and their drop-downs cover exactly the rows.
    for title in ("Rebuttal", "Coder comment", "Final decision", "Decision note"):
        c = ws.cell(row=header, column=DIFF_HEADERS.index(title) + 1)
        check(str(c.fill.fgColor.rgb).endswith("FFE699"), f"{name}: {title} header fill {c.fill.fgColor.rgb}")
    last = header + len(rows)
    letter = chr(ord("A") + DIFF_HEADERS.index("Rebuttal"))
    spans = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    want_span = f"{letter}{header + 1}" if last == header + 1 else f"{letter}{header + 1}:{letter}{last}"
    check(want_span in spans, f"{name}: rebuttal drop-down {spans}, want {want_span}")
    # Codes as coders write them.
    dx = [r for r in rows if r["Code type"] == "DX" and r["Coder code"]]
    check(all("." in r["Coder code"] or len(r["Coder code"]) <= 3 for r in dx),
          f"{name}: DX codes without dots {[r['Coder code'] for r in dx][:5]}")


def main(team, folder, with_matches_path):
    summary = {r["Coder"]: r for r in read_summary(team)}
    coders = sorted(summary)
    team_rows = {c: read_sheet(team, f"Coder {c}") for c in coders}
    files = sorted(os.listdir(folder))
    check(files == [f"coder-{c}.xlsx" for c in coders], f"per-coder files {files}")
    for c in coders:
        path = os.path.join(folder, f"coder-{c}.xlsx")
        if os.path.exists(path):
            verify(path, c, team_rows[c], summary, coders, with_matches=False)
    verify(with_matches_path, "C06", team_rows["C06"], summary, coders, with_matches=True)
    for m in failures:
        print("FAIL:", m, file=sys.stderr)
    print(f"verify_feedback: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
