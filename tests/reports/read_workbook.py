#!/usr/bin/python3
"""Checks the sample workbooks written by reports_write_sample, cell by cell.

    read_workbook.py DIR     (DIR holds sample.xlsx, sample_in_memory.xlsx,
                              sample_split.xlsx and expected.json)
Exit status 0 when every check passes; failures are listed on stderr.
"""
import datetime
import json
import math
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workbook_reader import (AUDITOR_HEADERS, CATEGORY_HEADERS, DETAIL_HEADERS,  # noqa: E402
                             DETAIL_SHEET, DIFF_HEADERS, FINDING_HEADERS, SUMMARY_HEADERS,
                             TREND_HEADERS, column_letter,
                             load, read_policy, read_run, read_summary, read_total,
                             sheet_rows)

ODD_CODER = "[QA]/night:shift*?-with-a-very-long-identifier"
COUNT_COLUMNS = ["Encounters", "Codes reviewed", "Matches", "Errors", "Added", "Omitted",
                 "Revised", "Resequenced", "Modifier", "Units", "POA", "DRG",
                 "Error-free encounters", "DRG encounters", "DRG changes", "Over-coded",
                 "Under-coded", "Rebutted", "Overturned"]
RATE_COLUMNS = ["Code accuracy", "Code CI low", "Code CI high", "Claim accuracy",
                "Claim CI low", "Claim CI high", "Benchmark"]
MONEY_COLUMNS = ["Overpayment", "Underpayment"]
OUTCOME_COLUMNS = {"added": "Added", "omitted": "Omitted", "revised": "Revised",
                   "resequenced": "Resequenced", "modifier": "Modifier", "units": "Units",
                   "poa": "POA", "drg": "DRG"}


def col(name):
    return column_letter(SUMMARY_HEADERS, name)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def close(a, b):
    return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def check_summary(path, expected):
    name = os.path.basename(path)
    coders = expected["coders"]
    wb = load(path)  # full mode: formats, filters, conditional formats
    ws = wb["Summary"]
    check(wb.sheetnames[0] == "Summary", f"{name}: Summary is not the first sheet")
    header = [c.value for c in ws[1]]
    check(header == SUMMARY_HEADERS, f"{name}: Summary headers are {header}")
    # The header row and the Coder column stay in view (issue 17: ids scrolled away).
    check(ws.freeze_panes == "B2", f"{name}: Summary freeze panes {ws.freeze_panes}")
    last = len(coders) + 1
    result = col("Result")
    end = col(SUMMARY_HEADERS[-1])
    check(ws.auto_filter.ref == f"A1:{end}{last}",
          f"{name}: Summary autofilter {ws.auto_filter.ref}, want A1:{end}{last}")
    # The reader's first columns: who, the verdict, then the accuracy it rests on.
    check(SUMMARY_HEADERS[:3] == ["Coder", "Result", "Code accuracy"],
          f"{name}: Summary leads with {SUMMARY_HEADERS[:3]}")
    detail = wb[DETAIL_SHEET]
    check([c.value for c in detail[1]] == DETAIL_HEADERS,
          f"{name}: Summary detail headers {[c.value for c in detail[1]]}")
    check(detail.freeze_panes == "B2", f"{name}: Summary detail freeze panes {detail.freeze_panes}")
    check_print_setup(ws, name, repeat="$1:$1")

    rows = read_summary(path)
    check([r["Coder"] for r in rows] == [c["Coder"] for c in coders],
          f"{name}: coder rows {[r['Coder'] for r in rows]}")
    for row, want in zip(rows, coders):
        for c in COUNT_COLUMNS:
            check(row[c] == want[c] and isinstance(row[c], int),
                  f"{name}: {want['Coder']} {c} = {row[c]!r}, want {want[c]}")
        for c in RATE_COLUMNS:
            check(close(row[c], want[c]) and 0 <= row[c] <= 1,
                  f"{name}: {want['Coder']} {c} = {row[c]!r}, want {want[c]}")
        for c in MONEY_COLUMNS + ["Weighted errors"]:
            check(close(row[c], want[c]) or row[c] == want[c],
                  f"{name}: {want['Coder']} {c} = {row[c]!r}, want {want[c]}")
        check(close(row["Net payment impact"], want["Overpayment"] - want["Underpayment"])
              or row["Net payment impact"] == want["Overpayment"] - want["Underpayment"],
              f"{name}: {want['Coder']} net payment {row['Net payment impact']}")
        check(row["Result"] == want["Result"], f"{name}: {want['Coder']} Result {row['Result']}")

    # The Total row: sums of the counts and pooled rates, recomputed here from the rows.
    total = read_total(path)
    for c in COUNT_COLUMNS:
        check(total[c] == sum(r[c] for r in rows), f"{name}: Total {c} = {total[c]}")
    matches, weighted = sum(r["Matches"] for r in rows), sum(r["Weighted errors"] for r in rows)
    check(close(total["Code accuracy"], matches / (matches + weighted)),
          f"{name}: Total code accuracy {total['Code accuracy']}")
    encounters = sum(r["Encounters"] for r in rows)
    error_free = sum(r["Error-free encounters"] for r in rows)
    check(close(total["Claim accuracy"], error_free / encounters),
          f"{name}: Total claim accuracy {total['Claim accuracy']}")
    check(close(total["Benchmark"], expected["benchmark"]), f"{name}: Total benchmark")
    check(ws.cell(row=last + 1, column=1).value == "Total", f"{name}: Total is not last")

    # Formats: rates are percentages, counts are plain numbers.
    for c in RATE_COLUMNS:
        sheet, headers = (ws, SUMMARY_HEADERS) if c in SUMMARY_HEADERS else (detail, DETAIL_HEADERS)
        fmt = sheet[f"{column_letter(headers, c)}2"].number_format
        check(fmt == "0.0%", f"{name}: {c} number format {fmt}")
    fmt = detail[f"{column_letter(DETAIL_HEADERS, 'Overpayment')}2"].number_format
    check(fmt.startswith("$#,##0.00"), f"{name}: Overpayment number format {fmt}")
    fmt = ws[f"{col('Net payment impact')}2"].number_format
    check(fmt.startswith("$#,##0.00"), f"{name}: Net payment impact number format {fmt}")

    # Conditional formats: PASS green / FAIL red on Result, a data bar on Code accuracy.
    rules = {}
    for cf_range in ws.conditional_formatting:
        for rule in cf_range.rules:
            rules.setdefault(str(cf_range.sqref), []).append(rule)
    result_rules = rules.get(f"{result}2:{result}{last}", [])
    formulas = sorted(r.formula[0] for r in result_rules if r.type == "cellIs")
    check(formulas == ['"FAIL"', '"PASS"'], f"{name}: Result conditional formats {formulas}")
    fills = {r.formula[0]: r.dxf.fill.bgColor.rgb if r.dxf and r.dxf.fill else None
             for r in result_rules if r.type == "cellIs"}
    check(str(fills.get('"PASS"', "")).endswith("C6EFCE"), f"{name}: PASS fill {fills}")
    check(str(fills.get('"FAIL"', "")).endswith("FFC7CE"), f"{name}: FAIL fill {fills}")
    code = col("Code accuracy")
    check(any(r.type == "dataBar" for r in rules.get(f"{code}2:{code}{last}", [])),
          f"{name}: no data bar on Code accuracy; rules: {list(rules)}")
    # Data bars never hide the number they sit behind: no solid fills on any sheet, and
    # none on money (issue 17).
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if part.startswith("xl/worksheets/sheet"):
                xml = z.read(part).decode()
                check('gradient="0"' not in xml, f"{name}: a solid data bar in {part}")

    # Coder cells link to the coder's sheet.
    for r in range(2, last + 1):
        link = ws.cell(row=r, column=1).hyperlink
        check(link is not None and link.location and link.location.endswith("!A1"),
              f"{name}: Summary A{r} has no link to its coder sheet")

    # The chart is in the package and drawn from the Summary ranges.
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        # The Summary chart and one Trend chart (C001 has two periods).
        check(len(charts) == 2, f"{name}: charts {charts}")
        if charts:
            xml = z.read(charts[0]).decode()
            bench = col("Benchmark")
            check(f"Summary!${code}$2:${code}${last}" in xml, f"{name}: chart values range missing")
            check(f"Summary!$A$2:$A${last}" in xml, f"{name}: chart categories range missing")
            check(f"Summary!${bench}$2:${bench}${last}" in xml, f"{name}: benchmark series missing")
            # The axis starts near the lowest accuracy shown (not at 0), and the gap to
            # the benchmark is drawn (up/down bars).
            lowest = min([c["Code accuracy"] for c in coders] + [expected["benchmark"]])
            import re
            low = re.search(r'<c:valAx>.*?<c:min val="([0-9.]+)"/>', xml, re.S)
            check(low is not None and 0 < float(low.group(1)) <= lowest
                  and lowest - float(low.group(1)) <= 0.06 + 1e-9,
                  f"{name}: accuracy axis minimum {low and low.group(1)} for lowest {lowest}")
            check("<c:upDownBars>" in xml, f"{name}: no bars from the points to the benchmark")
        if len(charts) > 1:
            xml = z.read(charts[1]).decode()
            check("<c:lineChart>" in xml and "Trend!$G$2:$G$3" in xml,
                  f"{name}: trend chart is not a line over Trend!G2:G3")
    created = wb.properties.created
    want_created = datetime.datetime(2026, 11, 23, 4, 33, 40)
    check(created == want_created, f"{name}: created {created}, want {want_created}")

    # Column widths were set (the Coder column fits the longest id, capped).
    check(ws.column_dimensions["A"].width and ws.column_dimensions["A"].width >= 10,
          f"{name}: Coder column width {ws.column_dimensions['A'].width}")
    return wb


def check_print_setup(ws, name, repeat):
    """Landscape, one page wide, the header row repeated, run and page in the footer."""
    check(ws.page_setup.orientation == "landscape", f"{name} {ws.title}: not landscape")
    check(ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
          and ws.sheet_properties.pageSetUpPr.fitToPage,
          f"{name} {ws.title}: not fit to one page wide "
          f"({ws.page_setup.fitToWidth} x {ws.page_setup.fitToHeight})")
    check(ws.print_title_rows == repeat,
          f"{name} {ws.title}: repeated rows {ws.print_title_rows}, want {repeat}")
    footer = ws.oddFooter.left.text or ""
    check(footer.startswith("Score run ") and "&P" in (ws.oddFooter.right.text or ""),
          f"{name} {ws.title}: footer {footer!r} / {ws.oddFooter.right.text!r}")


def coder_sheet_rows(wb, base):
    """Rows of a coder sheet and of its continuations "<base> (2)", ..."""
    names = [base] + [n for n in wb.sheetnames if n.startswith(base + " (")
                      and n[len(base) + 2:-1].isdigit()]
    rows = []
    last = column_letter(DIFF_HEADERS, "Decision note")
    for n in names:
        ws = wb[n]
        check([c.value for c in ws[1]] == DIFF_HEADERS, f"{n}: headers {[c.value for c in ws[1]]}")
        check(ws.freeze_panes == "A2", f"{n}: freeze panes {ws.freeze_panes}")
        check(ws.auto_filter.ref == f"A1:{last}{ws.max_row}", f"{n}: autofilter {ws.auto_filter.ref}")
        check_print_setup(ws, n, repeat="$1:$1")
        # The rebuttal columns carry drop-down lists over exactly the sheet's rows.
        lists = {}
        for dv in ws.data_validations.dataValidation:
            lists[str(dv.sqref)] = (dv.type, dv.formula1)
        rebuttal = column_letter(DIFF_HEADERS, "Rebuttal")
        decision = column_letter(DIFF_HEADERS, "Final decision")
        def span(c):
            return f"{c}2" if ws.max_row == 2 else f"{c}2:{c}{ws.max_row}"
        if ws.max_row >= 2:
            # The columns to fill in are marked on exactly the sheet's rows (one always-true
            # conditional format with a fill: no blank cell written per row).
            end = column_letter(DIFF_HEADERS, "Decision note")
            marked = [r for cf in ws.conditional_formatting for r in cf.rules
                      if str(cf.sqref) == f"{rebuttal}2:{end}{ws.max_row}"]
            check(any(r.type == "expression" and r.formula == ["TRUE"] and r.dxf.fill is not None
                      for r in marked), f"{n}: fill-in columns not marked {marked}")
            check(lists.get(span(rebuttal)) == ("list", '"agree,disagree"'),
                  f"{n}: rebuttal validation {lists}")
            check(lists.get(span(decision)) == ("list", '"upheld,overturned"'),
                  f"{n}: decision validation {lists}")
        rows += sheet_rows(ws)
    return names, rows


def matches_of(rows, counted):
    """Positions without a counted error, from a coder sheet's rows (the rule of
    audit/qa/README.md: a coder line is a position, each counted omission is one)."""
    positions = {}
    for i, r in enumerate(rows):
        if r["Code type"] == "DRG":
            continue  # the default policy does not score the DRG
        is_counted = counted[r["Ref"]]
        if r["Outcome"] == "omitted":
            if is_counted:
                positions[("omitted", i)] = True
            continue
        key = (r["Encounter"], r["Code type"], r["Line"])
        positions[key] = positions.get(key, False) or is_counted
    return sum(1 for err in positions.values() if not err)


def check_coder_sheets(wb, name, expected, split):
    coder_sheets = ["Coder C001", "Coder C002", "Coder _QA__night_shift__-with-a",
                    "Coder c001 (2)"]
    if not split:
        want = (["Summary", DETAIL_SHEET, "Error categories", "Trend", "Auditors"] +
                coder_sheets + ["Findings", "Policy", "Run"])
        check(wb.sheetnames == want, f"{name}: sheets {wb.sheetnames}, want {want}")
    for sheet, coder in zip(coder_sheets, expected["coders"]):
        names, rows = coder_sheet_rows(wb, sheet)
        # Counted errors first, then differences that do not count, then matches, each
        # group in stored order (issue 17: matches ran among the errors).
        def group(d):
            return 0 if d["counted"] else 1 if d["outcome"] != "match" else 2
        want_diffs = sorted(coder["diffs"], key=group)  # sorted() is stable
        outcomes = [r["Outcome"] for r in rows]
        check(outcomes == [d["outcome"] for d in want_diffs],
              f"{name}: {sheet} outcomes {outcomes}")
        check([r["Ref"] for r in rows] == [d["ref"] for d in want_diffs],
              f"{name}: {sheet} refs {[r['Ref'] for r in rows]}")
        counted = {d["ref"]: d["counted"] for d in coder["diffs"]}
        # The Summary's counts agree with the coder's own rows.
        for outcome, col_name in OUTCOME_COLUMNS.items():
            n = sum(1 for r in rows if r["Outcome"] == outcome and counted[r["Ref"]])
            check(n == coder[col_name], f"{name}: {sheet} {col_name} count {n}")
        check(matches_of(rows, counted) == coder["Matches"], f"{name}: {sheet} matches")
        if split:
            per_sheet = 3
            want_sheets = max(1, -(-len(rows) // per_sheet))
            check(len(names) == want_sheets, f"{name}: {sheet} spans {names}")
        # Counted errors red, differences that do not count amber, matches plain.
        ws = wb[names[0]]
        outcome_col = DIFF_HEADERS.index("Outcome") + 1
        for r in range(2, ws.max_row + 1):
            ref = ws.cell(row=r, column=1).value
            outcome = ws.cell(row=r, column=outcome_col).value
            fill = str(ws.cell(row=r, column=outcome_col).fill.fgColor.rgb)
            if outcome == "match":
                want_fill = None
            elif counted[ref]:
                want_fill = "FFC7CE"
            else:
                want_fill = "FFEB9C"
            ok = fill.endswith(want_fill) if want_fill else not fill.endswith(("FFC7CE", "FFEB9C"))
            check(ok, f"{name}: {names[0]} row {r} ({outcome}) fill {fill}, want {want_fill}")
        for row in rows:
            if row["Outcome"] == "omitted":
                check(row["Line"] is None, f"{name}: omitted row has line {row['Line']}")
    c1 = coder_sheet_rows(wb, "Coder C001")[1]
    by_ref = {r["Ref"]: r for r in c1}
    lat = by_ref.get(5, {})
    check(lat.get("Detail") == "laterality" and lat.get("Code type") == "DX",
          f"{name}: Coder C001 ref 5 {lat}")
    # Diagnoses shown as coders write them, with the dot (stored without it or with).
    check(lat.get("Coder code") == "S72.001A", f"{name}: dotted code {lat.get('Coder code')!r}")
    # The rebuttal as stored: disagree, overturned, with both comments.
    reb = by_ref.get(2, {})
    check(reb.get("Rebuttal") == "disagree" and reb.get("Final decision") == "overturned"
          and reb.get("Coder comment") == "documented in the H&P" and reb.get("Reason") == "DOC",
          f"{name}: Coder C001 ref 2 {reb}")
    units = [r for r in c1 if r["Outcome"] == "units"][0]
    check(units["Direction"] == "over-coded" and close(units["Amount"], 125.5)
          and units["Comment"] == "one injection documented", f"{name}: units row {units}")
    odd = coder_sheet_rows(wb, "Coder _QA__night_shift__-with-a")[1]
    match = [r for r in odd if r["Outcome"] == "match"]
    check(match and match[0]["Coder code"] == "0010",
          f"{name}: code 0010 read as {match and match[0]['Coder code']!r}")
    check(any(r["Detail"] == "=1+1" for r in odd), f"{name}: detail =1+1 missing {odd}")


def check_v2_sheets(wb, path, expected):
    name = os.path.basename(path)
    ws = wb["Error categories"]
    check([c.value for c in ws[1]] == CATEGORY_HEADERS, f"{name}: category headers")
    rows = sheet_rows(ws)
    c1_dx = [r for r in rows if r["Coder"] == "C001" and r["Code type"] == "DX"]
    check(len(c1_dx) == 1 and c1_dx[0]["Revised"] == 1 and c1_dx[0]["Resequenced"] == 1
          and c1_dx[0]["Added"] == 0, f"{name}: C001 DX categories {c1_dx}")
    # C001 DX: lines 1, 2 (added, overturned) of ENC-1, lines 1, 2 of ENC-2 and the
    # omitted N18.3: 5 positions, 2 matches (ENC-1 line 1 and the overturned line 2).
    check(c1_dx and c1_dx[0]["Positions"] == 5 and c1_dx[0]["Matches"] == 2
          and close(c1_dx[0]["Accuracy"], 2 / 5), f"{name}: C001 DX accuracy {c1_dx}")
    c2_pcs = [r for r in rows if r["Coder"] == "C002" and r["Code type"] == "PCS"]
    check(not c2_pcs, f"{name}: a code type the coder never had has no row {c2_pcs}")
    clean = [r for r in rows if r["Coder"] == "C002" and r["Code type"] == "DX"]
    check(clean and clean[0]["Positions"] == 4 and clean[0]["POA"] == 1,
          f"{name}: C002 DX row {clean}")
    top = [r for r in ws.iter_rows(values_only=True) if r[0] == "Rank"]
    check(len(top) == 1, f"{name}: top error codes table missing")
    trend = [r for r in sheet_rows(wb["Trend"])]
    check([c.value for c in wb["Trend"][1]] == TREND_HEADERS, f"{name}: trend headers")
    got = [(r["Coder"], r["Period"], r["Codes reviewed"]) for r in trend]
    want = [(t["Coder"], t["Period"], t["Codes reviewed"]) for t in expected["trend"]]
    check(got == want, f"{name}: trend rows {got}, want {want}")
    auditors = sheet_rows(wb["Auditors"])
    check([c.value for c in wb["Auditors"][1]] == AUDITOR_HEADERS, f"{name}: auditor headers")
    got = [(a["Auditor"], a["Differences"], a["Rebutted"], a["Decided"], a["Overturned"])
           for a in auditors]
    want = [(a["Auditor"], a["Differences"], a["Rebutted"], a["Decided"], a["Overturned"])
            for a in expected["auditors"]]
    check(got == want, f"{name}: auditors {got}, want {want}")
    policy = read_policy(path)
    check(policy.get("policy id") == "default" and policy.get("outcome drg") == "not an error",
          f"{name}: policy sheet {policy}")
    check(policy.get("trend period") == "quarter" and policy.get("trend runs") == "12",
          f"{name}: trend metadata {policy.get('trend period')} {policy.get('trend runs')}")


def check_findings(wb, name, expected, split):
    base = "Findings"
    names = [base] + ([n for n in wb.sheetnames if n.startswith("Findings (")] if split else [])
    rows = []
    for n in names:
        ws = wb[n]
        check([c.value for c in ws[1]] == FINDING_HEADERS, f"{name}: {n} headers")
        check(ws.freeze_panes == "A2", f"{name}: {n} freeze panes")
        check(ws.auto_filter.ref == f"A1:L{ws.max_row}", f"{name}: {n} autofilter")
        rows += sheet_rows(ws)
    check(len(rows) == expected["findings"], f"{name}: {len(rows)} findings")
    messages = [r["Message"] for r in rows]
    check(messages[0] == '=HYPERLINK("http://example.invalid","x")',
          f"{name}: formula-like message {messages[0]!r}")
    check(messages[1] == "tab\there, bell\x01, CRLF\nend, literal _x0041_",
          f"{name}: control-character message {messages[1]!r}")
    check(messages[2] == "bad \ufffd( byte \ufffd end", f"{name}: invalid UTF-8 {messages[2]!r}")
    check(messages[3] == "A" * 32767, f"{name}: long message length {len(messages[3])}")
    check(rows[0]["Lines"] == "1,2" and rows[0]["Values"] == "code=E119; units=2",
          f"{name}: lines/values {rows[0]['Lines']!r} {rows[0]['Values']!r}")
    check(rows[0]["Severity"] == "warning" and rows[0]["Disposition"] == "review",
          f"{name}: severity/disposition {rows[0]['Severity']} {rows[0]['Disposition']}")
    check(rows[2]["Coder"] == ODD_CODER, f"{name}: coder {rows[2]['Coder']!r}")


def check_no_formulas(wb, name):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                check(cell.data_type != "f", f"{name}: formula in {ws.title}!{cell.coordinate}")


def check_run(path, expected):
    name = os.path.basename(path)
    run = read_run(path)
    check(run.get("run id") == expected["run_id"], f"{name}: run id {run.get('run id')}")
    check(run.get("started at") == expected["started_at"], f"{name}: started at")
    check(run.get("kind") == "score", f"{name}: kind {run.get('kind')}")
    check(run.get("check run id") == 11 and run.get("check run kind") == "check",
          f"{name}: check run {run.get('check run id')}")
    check(run.get("input 1 role") == "auditor" and run.get("input 1 bytes") == 1234,
          f"{name}: input 1 {run.get('input 1 role')} {run.get('input 1 bytes')}")
    check(run.get("check run input 2 path") == "rules/packs/mce.xml", f"{name}: check inputs")
    check(run.get("records rejected") == 1, f"{name}: records rejected")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)
    check(len(expected["coders"]) == 4, "expected.json: want four coders")
    check(expected["coders"][2]["Coder"] == ODD_CODER, "expected.json: odd coder id")
    for file, split in (("sample.xlsx", False), ("sample_in_memory.xlsx", False),
                        ("sample_split.xlsx", True)):
        path = os.path.join(folder, file)
        wb = check_summary(path, expected)
        check_coder_sheets(wb, file, expected, split)
        check_v2_sheets(wb, path, expected)
        check_findings(wb, file, expected, split)
        check_no_formulas(wb, file)
        check_run(path, expected)
    for message in failures:
        print("FAIL:", message, file=sys.stderr)
    print(f"read_workbook: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
