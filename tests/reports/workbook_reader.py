"""Reads coderaudit accuracy workbooks back with openpyxl (Debian: /usr/bin/python3).

Importable by other tests (the end-to-end test reuses read_summary):

    sys.path.insert(0, "<repo>/tests/reports")
    from workbook_reader import read_summary
    rows = read_summary("accuracy.xlsx")   # [{"Coder": "C001", "Encounters": 3, ...}, ...]
"""
import re
import warnings

import openpyxl
import openpyxl.reader.excel
from openpyxl.cell.text import Text
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

# The Summary leads with what a manager reads; every other per-coder count is on
# "Summary detail" (same coder rows, same Total). read_summary joins the two.
SUMMARY_HEADERS = [
    "Coder", "Result", "Code accuracy", "Code CI low", "Code CI high", "Claim accuracy",
    "DRG accuracy", "Net payment impact", "Benchmark", "Encounters", "Codes reviewed",
    "Errors",
]
DETAIL_SHEET = "Summary detail"
DETAIL_HEADERS = [
    "Coder", "Encounters", "Codes reviewed", "Matches", "Errors", "Added", "Omitted",
    "Revised", "Resequenced", "Modifier", "Units", "POA", "DRG", "Weighted errors",
    "Error-free encounters", "Claim accuracy", "Claim CI low", "Claim CI high",
    "DRG encounters", "DRG changes", "DRG accuracy", "DRG CI low", "DRG CI high",
    "Over-coded", "Under-coded", "Overpayment", "Underpayment", "Rebutted", "Overturned",
]
DIFF_HEADERS = ["Ref", "Encounter", "Claim type", "Code type", "Line", "Coder code",
                "Auditor code", "Outcome", "Direction", "Weight", "Amount", "Reason",
                "Comment", "Detail", "Auditor", "Rebuttal", "Coder comment",
                "Final decision", "Decision note"]
FINDING_HEADERS = ["Encounter", "Coder", "Provider", "Rule", "Version", "Category",
                   "Severity", "Disposition", "Lines", "Values", "Message", "Citation"]
CATEGORY_HEADERS = ["Coder", "Code type", "Positions", "Matches", "Accuracy", "Added",
                    "Omitted", "Revised", "Resequenced", "Modifier", "Units", "POA", "DRG",
                    "Errors", "Weighted errors", "Over-coded", "Under-coded"]
TREND_HEADERS = ["Coder", "Period", "Encounters", "Codes reviewed", "Errors",
                 "Weighted errors", "Code accuracy", "Code CI low", "Code CI high",
                 "Claim accuracy", "Net payment impact", "Benchmark", "Result"]
AUDITOR_HEADERS = ["Auditor", "Encounters", "Differences", "Rebutted", "Decided",
                   "Overturned", "Overturn rate", "Overturn CI low", "Overturn CI high"]


def column_letter(headers, name):
    """The sheet column letter of a header ("Code accuracy" -> "O" on the Summary)."""
    from openpyxl.utils import get_column_letter
    return get_column_letter(headers.index(name) + 1)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _raw_string_table(xml_source):
    """openpyxl's read_string_table without its `.replace('x005F_', '')`.

    openpyxl 3.0 strips the escape of a literal underscore from shared strings but
    leaves every other _xHHHH_ escape in, and leaves inline strings alone: after that
    the text cannot be decoded correctly. Reading shared strings raw lets excel_text
    decode both kinds of string the way Excel does.
    """
    strings = []
    tag = "{%s}si" % SHEET_MAIN_NS
    for _, node in iterparse(xml_source):
        if node.tag == tag:
            strings.append(Text.from_tree(node).content)
            node.clear()
    return strings


openpyxl.reader.excel.read_string_table = _raw_string_table

# openpyxl cannot model the x14 data-bar extension and says so when a sheet is parsed,
# which in read-only mode happens lazily, outside load(): silence it for the module.
warnings.filterwarnings("ignore", message=".*extension is not supported",
                        category=UserWarning)


def excel_text(value):
    """Decodes Excel's _xHHHH_ escapes as Excel does (openpyxl 3.0 leaves them in)."""
    if isinstance(value, str) and "_x" in value:
        return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def _as_int(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def load(path, **kwargs):
    """openpyxl.load_workbook without the warning about the x14 data-bar extension
    (openpyxl cannot model it and drops it; the base data-bar rule stays)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*extension is not supported",
                                category=UserWarning)
        return openpyxl.load_workbook(path, **kwargs)


def sheet_rows(ws):
    """Data rows of a sheet with a header row, as header-keyed dicts (text decoded)."""
    rows = ws.iter_rows(values_only=True)
    header = [excel_text(h) for h in next(rows)]
    out = []
    for values in rows:
        if all(v is None for v in values):
            continue
        out.append({h: _as_int(excel_text(v)) for h, v in zip(header, values)})
    return out


def _summary_rows(path):
    """Summary rows joined with their Summary detail rows (same order, same coders)."""
    wb = load(path, read_only=True, data_only=True)
    try:
        rows = sheet_rows(wb["Summary"])
        detail = sheet_rows(wb[DETAIL_SHEET])
    finally:
        wb.close()
    assert [r["Coder"] for r in rows] == [d["Coder"] for d in detail], \
        "Summary and Summary detail list different coders"
    for row, more in zip(rows, detail):
        for key, value in more.items():
            # A column on both sheets must say the same on both.
            assert key not in row or row[key] == value or row["Coder"] == "Total", \
                f"{row['Coder']} {key}: Summary {row[key]!r}, Summary detail {value!r}"
            row.setdefault(key, value)
    return rows


def read_summary(path):
    """The Summary sheet's coder rows (the Total row excluded), keyed by header name,
    with the columns of Summary detail joined in.

    Counts come back as int, accuracies/intervals/benchmark as floats in 0..1,
    Result as "PASS" / "FAIL".
    """
    return [r for r in _summary_rows(path) if r["Coder"] != "Total"]


def read_total(path):
    """The Summary (and Summary detail) Total row as a dict."""
    rows = _summary_rows(path)
    totals = [r for r in rows if r["Coder"] == "Total"]
    assert len(totals) == 1, "expected exactly one Total row"
    return totals[0]


def read_sheet(path, name):
    """Any header-row sheet (a coder sheet, Trend, Auditors) as header-keyed dicts."""
    wb = load(path, read_only=True, data_only=True)
    try:
        return sheet_rows(wb[name])
    finally:
        wb.close()


def read_policy(path):
    """The Policy sheet as a {field: value} dict."""
    return read_run(path, "Policy")


def read_run(path, sheet="Run"):
    """The Run sheet as a {field: value} dict (section title rows skipped)."""
    wb = load(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        out = {}
        for key, value in ws.iter_rows(min_row=2, max_col=2, values_only=True):
            if key is not None and value is not None:
                out[excel_text(key)] = _as_int(excel_text(value))
        return out
    finally:
        wb.close()
