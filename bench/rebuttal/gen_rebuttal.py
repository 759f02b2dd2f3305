#!/usr/bin/python3
"""Writes a large rebuttal file for the memory benchmark (bench/rebuttal/run.sh).

    gen_rebuttal.py csv ROWS OUT.csv
    gen_rebuttal.py xlsx ROWS WORKBOOK.xlsx OUT.xlsx
    gen_rebuttal.py xlsx-shared ROWS WORKBOOK.xlsx OUT.xlsx

Row k names Ref (k mod 500) + 1 with a rebuttal, a decision and a comment: the first rows
apply, the rest are rejects ("no difference with this ref", "already given"), the hostile
case of issue 12 item 6. The .xlsx is the accuracy workbook WORKBOOK.xlsx with its first
coder sheet replaced by ROWS rows (inline strings, as openpyxl or a script might write);
xlsx-shared writes the text as shared strings, each row's comment a string of its own
(as Excel saves a workbook: a shared-strings table as long as the sheet).
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


def shared(ref, index):
    return '<c r="%s" t="s"><v>%d</v></c>' % (ref, index)


# Shared-string indices after the workbook's own strings (`base` of them): the words, then
# one comment per row.
WORDS = REBUTTALS + DECISIONS


def sheet_xml(rows, columns, base=None):
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    yield '<row r="1">' + "".join(inline("%s1" % c, name) for name, c in columns) + "</row>"
    col = dict(columns)
    for k in range(rows):
        r = k + 2
        ref, reb, dec, note = row_values(k)
        if base is None:
            cells = (inline("%s%d" % (col["Rebuttal"], r), reb),
                     inline("%s%d" % (col["Final decision"], r), dec),
                     inline("%s%d" % (col["Coder comment"], r), note))
        else:
            cells = (shared("%s%d" % (col["Rebuttal"], r), base + WORDS.index(reb)),
                     shared("%s%d" % (col["Final decision"], r), base + WORDS.index(dec)),
                     shared("%s%d" % (col["Coder comment"], r), base + len(WORDS) + k))
        yield '<row r="%d"><c r="%s%d"><v>%d</v></c>%s%s%s</row>' % ((r, col["Ref"], r, ref) + cells)
    yield "</sheetData></worksheet>"


def shared_strings_xml(rows, existing):
    """The workbook's own <si> items (kept: its other sheets index them), then ours."""
    items = re.search(r"<sst[^>]*>(.*)</sst>", existing, re.S).group(1) if existing else ""
    base = items.count("<si>") + items.count("<si ")
    def chunks():
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items)
        for w in WORDS:
            yield "<si><t>%s</t></si>" % w
        for k in range(rows):
            yield "<si><t>%s</t></si>" % row_values(k)[3]
        yield "</sst>"
    return base, chunks()


def write_xlsx(rows, workbook, out, shared_text=False):
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
    names = src.namelist()
    sst = "xl/sharedStrings.xml"
    base, sst_chunks = None, None
    if shared_text:
        base, sst_chunks = shared_strings_xml(rows, src.read(sst).decode() if sst in names else "")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == part:
                with dst.open(part, "w", force_zip64=True) as f:
                    for chunk in sheet_xml(rows, columns, base):
                        f.write(chunk.encode())
            elif not (shared_text and info.filename == sst):
                dst.writestr(info, src.read(info.filename))
        if shared_text:  # the reader finds the part by name; no relationship needed
            with dst.open(sst, "w", force_zip64=True) as f:
                for chunk in sst_chunks:
                    f.write(chunk.encode())


if __name__ == "__main__":
    kind, rows = sys.argv[1], int(sys.argv[2])
    if kind == "csv":
        write_csv(rows, sys.argv[3])
    else:
        write_xlsx(rows, sys.argv[3], sys.argv[4], shared_text=(kind == "xlsx-shared"))
