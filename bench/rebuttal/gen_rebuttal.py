#!/usr/bin/python3
"""Writes a large rebuttal file for the memory benchmark (bench/rebuttal/run.sh).

    gen_rebuttal.py csv ROWS OUT.csv
    gen_rebuttal.py xlsx ROWS WORKBOOK.xlsx OUT.xlsx

Row k names Ref (k mod 500) + 1 with a rebuttal, a decision and a comment: the first rows
apply, the rest are rejects ("no difference with this ref", "already given"), the hostile
case of issue 12 item 6. The .xlsx is the accuracy workbook WORKBOOK.xlsx with its first
coder sheet replaced by ROWS rows (inline strings, as openpyxl or a script might write).
"""
import re
import sys
import zipfile

REBUTTALS = ("disagree", "agree")
DECISIONS = ("overturned", "upheld")


def row_values(k):
    return ((k % 500) + 1, REBUTTALS[k % 2], DECISIONS[(k // 2) % 2],
            "coder note %d on this difference" % k)


def write_csv(rows, out):
    with open(out, "w", encoding="utf-8") as f:
        f.write("ref,rebuttal,decision,coder_comment\n")
        for k in range(rows):
            ref, reb, dec, note = row_values(k)
            f.write("%d,%s,%s,%s\n" % (ref, reb, dec, note))


def inline(ref, text):
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)


def sheet_xml(rows, columns):
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    yield '<row r="1">' + "".join(inline("%s1" % c, name) for name, c in columns) + "</row>"
    col = dict(columns)
    for k in range(rows):
        r = k + 2
        ref, reb, dec, note = row_values(k)
        yield ('<row r="%d"><c r="%s%d"><v>%d</v></c>%s%s%s</row>' % (
            r, col["Ref"], r, ref, inline("%s%d" % (col["Rebuttal"], r), reb),
            inline("%s%d" % (col["Final decision"], r), dec),
            inline("%s%d" % (col["Coder comment"], r), note)))
    yield "</sheetData></worksheet>"


def write_xlsx(rows, workbook, out):
    src = zipfile.ZipFile(workbook)
    wb = src.read("xl/workbook.xml").decode()
    rels = src.read("xl/_rels/workbook.xml.rels").decode()
    sheets = re.findall(r'<sheet [^>]*name="(Coder [^"]*)"[^>]*r:id="([^"]+)"', wb)
    rid = sheets[0][1]
    target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or \
        re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
    part = target.group(1).lstrip("/")
    part = part if part.startswith("xl/") else "xl/" + part
    columns = [("Ref", "A"), ("Rebuttal", "B"), ("Final decision", "C"), ("Coder comment", "D")]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == part:
                with dst.open(part, "w", force_zip64=True) as f:
                    for chunk in sheet_xml(rows, columns):
                        f.write(chunk.encode())
            else:
                dst.writestr(info, src.read(info.filename))


if __name__ == "__main__":
    kind, rows = sys.argv[1], int(sys.argv[2])
    if kind == "csv":
        write_csv(rows, sys.argv[3])
    else:
        write_xlsx(rows, sys.argv[3], sys.argv[4])
