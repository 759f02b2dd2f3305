#!/usr/bin/env python3
"""Writes samples/packs/tables/: small subsets of the REAL reference tables in
../shared/data, in the official layouts, holding every row that concerns a code used by
the embedded tests of rules/packs/*.xml, samples/packs/*.xml and the golden cases that
load samples/packs/tables.tsv. For any claim whose codes all come from that set, the
subset answers exactly as the full table does (tests/rules/packs_test.cpp checks it), so
the packs' tests run without ../shared.

Rows are the official rows; descriptor texts are replaced by placeholders (code values
are facts, the titles stay in ../shared). Deterministic: run it again, get the same bytes.

    /usr/bin/python3 samples/packs/make_pack_tables.py [--shared ../shared/data]
"""
import argparse
import csv
import glob
import gzip
import io
import os
import re
import xml.etree.ElementTree as ET
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NS = "{urn:coderaudit:rules:1}"
sys.path.insert(0, os.path.join(REPO, "tools", "mce-oracle"))
import mce_bin  # noqa: E402  (the CMS MCE release's tables)

# The user-supplied inpatient-only list (no official file in ../shared): procedures with
# OPPS status indicator C in the CMS 2024 OPPS Addendum E.
INPATIENT_ONLY = ["33510", "33533", "47135", "61510"]


def norm(code):
    return code.replace(".", "").upper()


def collect_codes():
    """(diagnosis codes, PCS codes, HCPCS codes) used by pack tests and golden cases."""
    dx, pcs, hcpcs = set(), set(), set()
    bucket = {"DX": dx, "PCS": pcs, "HCPCS": hcpcs}
    files = sorted(glob.glob(os.path.join(REPO, "rules/packs/*.xml")) +
                   glob.glob(os.path.join(HERE, "*.xml")) +
                   glob.glob(os.path.join(REPO, "tests/cases/*.xml")))
    for path in files:
        root = ET.parse(path).getroot()
        for line in root.iter(NS + "line"):
            bucket[line.get("type")].add(norm(line.get("code")))
        for encounter in root.iter(NS + "encounter"):
            if encounter.get("admitting-dx"):
                dx.add(norm(encounter.get("admitting-dx")))
    for path in sorted(glob.glob(os.path.join(REPO, "tests/cases/*.case"))):
        text = open(path, encoding="utf-8").read()
        if "--- tables samples/packs/tables.tsv" not in text:
            continue
        match = re.search(r"^--- encounters\n(.*?)(?=^--- )", text, re.S | re.M)
        if not match:
            continue
        rows = [r for r in match.group(1).splitlines() if r.strip() and not r.startswith("#")]
        for row in csv.DictReader(io.StringIO("\n".join(rows))):
            bucket[row["code_type"]].add(norm(row["code"]))
            if row.get("admitting_dx"):
                dx.add(norm(row["admitting_dx"]))
    return dx, pcs, hcpcs


def with_ancestors(codes):
    out = set()
    for code in codes:
        for n in range(3, len(code) + 1):
            out.add(code[:n])
    return out


def write(name, text, crlf=False):
    os.makedirs(os.path.join(HERE, "tables"), exist_ok=True)
    data = text.replace("\n", "\r\n") if crlf else text
    with open(os.path.join(HERE, "tables", name), "w", newline="", encoding="utf-8") as f:
        f.write(data)


def zip_member(path, pattern):
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(pattern, os.path.basename(n))]
        assert len(names) == 1, (path, pattern, names)
        return z.read(names[0]).decode("latin-1")


def order_subset(text, keep, kind):
    lines = []
    for line in text.splitlines():
        code = line[6:13].strip()
        if code in keep:
            title = f"Pack sample {kind} {code}"
            lines.append(f"{line[:5]} {code:<7} {line[14]} {title:<60} {title}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(REPO, "..", "shared", "data"))
    shared = parser.parse_args().shared
    dx, pcs, hcpcs = collect_codes()

    # NCCI PTP: pairs whose two codes are both used.
    for setting, source in (("practitioner", "ncci_ptp_practitioner_2024q3.tsv.gz"),
                            ("outpatient_hospital", "ncci_ptp_outpatient_hospital_2024q3.tsv.gz")):
        with gzip.open(os.path.join(shared, "ncci", source), "rt", encoding="utf-8") as f:
            rows = f.read().splitlines()
        kept = [rows[0]] + [r for r in rows[1:]
                            if r.split("\t")[0] in hcpcs and r.split("\t")[1] in hcpcs]
        write(f"ncci_ptp_{setting}_2024q3_pack.tsv", "\n".join(kept) + "\n")

    # NCCI MUE and add-on codes.
    for setting in ("practitioner", "outpatient_hospital"):
        name = f"ncci_mue_{setting}_2024q3.csv"
        rows = open(os.path.join(shared, "ncci", name), encoding="utf-8").read().splitlines()
        kept = [rows[0]] + [r for r in rows[1:] if r.split(",")[0].strip('"') in hcpcs]
        write(name.replace(".csv", "_pack.csv"), "\n".join(kept) + "\n")
    rows = open(os.path.join(shared, "ncci", "ncci_add_on_codes_2024q3.csv"),
                encoding="utf-8").read().splitlines()
    kept = [rows[0]] + [r for r in rows[1:] if r.split(",")[1].strip('"') in hcpcs]
    write("ncci_add_on_codes_2024q3_pack.csv", "\n".join(kept) + "\n")

    # HCPCS Level II attributes.
    rows = open(os.path.join(shared, "hcpcs", "hcpcs_level2_2024q3_attributes.csv"),
                encoding="utf-8").read().splitlines()
    kept = [rows[0]] + [r for r in rows[1:] if r.split(",")[0].strip('"') in hcpcs]
    write("hcpcs_level2_2024q3_pack_attributes.csv", "\n".join(kept) + "\n")

    # CPT code values 2024 (no descriptors in the official file either).
    rows = open(os.path.join(shared, "hcpcs", "cpt_codes_only_2024.csv"),
                encoding="utf-8").read().splitlines()
    kept = [rows[0]] + [r for r in rows[1:] if r.strip('"') in hcpcs]
    write("cpt_codes_only_2024_pack.csv", "\n".join(kept) + "\n")

    # ICD-10-CM and ICD-10-PCS order files (with the headers above each code).
    keep_dx = with_ancestors(dx)
    for fy in ("2025", "2026"):
        text = zip_member(os.path.join(shared, "icd10", f"icd10cm_fy{fy}_code_descriptions.zip"),
                          rf"icd10cm_order_{fy}\.txt")
        write(f"icd10cm_order_{fy}_pack.txt", order_subset(text, keep_dx, "diagnosis"), crlf=True)
    text = zip_member(os.path.join(shared, "icd10", "icd10pcs_fy2026_order.zip"),
                      r"icd10pcs_order_2026\.txt")
    write("icd10pcs_order_2026_pack.txt", order_subset(text, with_ancestors(pcs), "procedure"),
          crlf=True)

    # POA-exempt list FY2026.
    text = zip_member(os.path.join(shared, "icd10", "poa_exempt_fy2026.zip"),
                      r"POAexemptCodesFY26\.txt")
    lines = text.splitlines()
    kept = [lines[0]] + [f"{l.split(chr(9))[0]}\t{l.split(chr(9))[1]}\tPack sample exempt code"
                         for l in lines[1:] if l.strip() and norm(l.split("\t")[1]) in dx]
    write("poa_exempt_fy2026_pack.txt", "\n".join(kept) + "\n", crlf=True)

    # MCE v37 (TSV) and v41.1 (CSV).
    lines = open(os.path.join(shared, "mce", "mce_v37_fy2020_code_edits.tsv"),
                 encoding="utf-8").read().splitlines()
    kept = [lines[0]]
    for l in lines[1:]:
        f = l.split("\t")
        if (f[5] == "D" and f[6] in dx) or (f[5] == "P" and f[6] in pcs):
            kept.append("\t".join(f[:7] + [f"Pack sample title {f[6]}"]))
    write("mce_v37_fy2020_pack.tsv", "\n".join(kept) + "\n")
    with open(os.path.join(shared, "mce", "mce_v41_1_fy2024_code_edits.csv"), encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        for row in reader:
            if norm(row[0]) in dx:
                writer.writerow([row[0], f"Pack sample title {row[0]}", row[2], row[3]])
    write("mce_v41_1_fy2024_pack.csv", out.getvalue())

    # Tabular FY2021: chapters, sections and the <diag> chain above each used code, with
    # their notes (notes inherit downwards); texts reduced to their code references.
    with gzip.open(os.path.join(shared, "icd10", "icd10cm_tabular_fy2021.xml.gz")) as f:
        root = ET.parse(f).getroot()
    note_tags = ("excludes1", "excludes2", "codeFirst", "useAdditionalCode")

    def relevant(diag):
        name = norm(diag.findtext("name") or "")
        return any(code.startswith(name) for code in keep_dx)

    def copy_notes(src, dst):
        for tag in note_tags:
            block = src.find(tag)
            if block is None:
                continue
            out_block = ET.SubElement(dst, tag)
            for note in block.findall("note"):
                refs = re.findall(r"\([^()]*\)", note.text or "")
                ET.SubElement(out_block, "note").text = "see " + " ".join(refs) if refs else "see"

    def copy_diag(src, parent):
        out = ET.SubElement(parent, "diag")
        ET.SubElement(out, "name").text = src.findtext("name")
        ET.SubElement(out, "desc").text = "Pack sample " + src.findtext("name")
        copy_notes(src, out)
        for child in src.findall("diag"):
            if relevant(child):
                copy_diag(child, out)

    tabular = ET.Element("ICD10CM.tabular")
    ET.SubElement(tabular, "version").text = root.findtext("version") or "2021"
    for chapter in root.findall("chapter"):
        sections = [s for s in chapter.findall("section")
                    if any(relevant(d) for d in s.findall("diag"))]
        if not sections:
            continue
        out_chapter = ET.SubElement(tabular, "chapter")
        ET.SubElement(out_chapter, "name").text = chapter.findtext("name")
        ET.SubElement(out_chapter, "desc").text = "Pack sample chapter " + chapter.findtext("name")
        copy_notes(chapter, out_chapter)
        for section in sections:
            out_section = ET.SubElement(out_chapter, "section", id=section.get("id"))
            ET.SubElement(out_section, "desc").text = "Pack sample section " + section.get("id")
            copy_notes(section, out_section)
            for diag in section.findall("diag"):
                if relevant(diag):
                    copy_diag(diag, out_section)
    ET.indent(tabular)
    write("icd10cm_tabular_fy2021_pack.xml",
          '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(tabular, encoding="unicode") + "\n")

    # The CMS MCE release (v43.1): the official jar sits beside the data in ../shared.
    jar = os.path.join(shared, "..", "oracles", "cms-java", "MCE-2.0-43.1.0.0.jar")
    with open(os.path.join(HERE, "tables", "mce_v43_1_pack.bin"), "wb") as f:
        f.write(mce_bin.subset(mce_bin.read_jar(jar), dx, pcs))

    write("inpatient_only_2024_pack.csv",
          "code,note\n" + "".join(f"{c},OPPS 2024 status indicator C\n" for c in INPATIENT_ONLY))


if __name__ == "__main__":
    main()
