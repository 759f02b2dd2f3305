#!/usr/bin/env python3
"""Writes the small SYNTHETIC reference tables in samples/refdata/, in the official
layouts (see ../../../shared/data/MANIFEST.md), covering the codes used by
samples/encounters.csv so the tables and demos run without ../shared.

Code values and most PTP/MUE/add-on/MCE rows are modelled on the official 2024 files;
a few rows are invented to exercise rules (marked below). Titles are placeholders: the
official descriptor text is not copied. Deterministic: run it again, get the same bytes.

    /usr/bin/python3 samples/refdata/make_samples.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, text, crlf=False):
    data = text.replace("\n", "\r\n") if crlf else text
    with open(os.path.join(HERE, name), "w", newline="") as f:
        f.write(data)


# --- ICD-10-CM order files (fixed width, CRLF, as CMS ships them) -------------------
DX = """A00.0 A41.9 B96.20 D62 D64.9 E03.9 E08.42 E09.42 E10.9 E11.22 E11.65 E11.9 E55.9
E66.01 E66.9 E78.00 E78.5 E86.0 E87.1 F17.210 F32.A F41.1 G47.33 H25.11 H25.12 I10 I11.0
I12.9 I21.4 I25.10 I48.91 I50.22 I50.23 I50.32 I63.9 J02.9 J06.9 J18.9 J44.1 J45.909 J96.01
K21.9 K35.80 K63.5 K80.10 K92.2 M16.11 M16.12 M17.11 M17.12 M19.011 M19.012 M23.221 M23.222
M25.561 M25.562 M54.50 M62.81 M81.0 N17.9 N18.31 N39.0 N40.0 O09.523 O24.410 O24.420
O26.892 O34.211 O80 O99.212 P07.30 R05.1 R07.9 R10.9 R65.20 V43.52XA Z00.00 Z12.11 Z16.10
Z37.0 Z38.00 Z3A.24 Z3A.28 Z3A.32 Z3A.38 Z3A.39 Z68.35 Z68.41 Z79.01 Z79.4 Z79.84
Z87.891""".split()
# A code that is new in FY2025 (it is in the official FY2025 addenda).
DX_NEW_FY2025 = ["E11.A"]


def order_file(codes, pcs=False):
    """Every code with its headers (all shorter prefixes from 3 characters), in order."""
    valid = {c.replace(".", "") for c in codes}
    entries = set(valid)
    for c in valid:
        for n in range(3, len(c)):
            entries.add(c[:n])
    lines = []
    for i, code in enumerate(sorted(entries), start=1):
        billable = "1" if code in valid and not any(
            o != code and o.startswith(code) for o in entries) else "0"
        kind = "procedure" if pcs else "diagnosis"
        short = f"Sample {kind} {code}"
        lines.append(f"{i:05d} {code:<7} {billable} {short:<60} {short} (synthetic title)")
    return "\n".join(lines) + "\n"


write("icd10cm_order_fy2024_sample.txt", order_file(DX), crlf=True)
write("icd10cm_order_fy2025_sample.txt", order_file(DX + DX_NEW_FY2025), crlf=True)

PCS = """027034Z 0DB68ZX 0DJ08ZZ 0DTJ0ZZ 0DTJ4ZZ 0FT44ZZ 0SR9019 0SRB019 0SRC0J9 0SRD0J9
10D00Z1 10E0XZZ 30233N1 4A023N7 B2111ZZ 0UT90ZZ 0VT00ZZ 5A1955Z""".split()
write("icd10pcs_order_fy2024_sample.txt", order_file(PCS, pcs=True), crlf=True)

# --- POA-exempt list (tab-delimited with header, CRLF) --------------------------------
POA = ["Z00.00", "Z12.11", "Z37.0", "Z38.00", "Z3A.24", "Z3A.28", "Z3A.32", "Z3A.38",
       "Z3A.39", "Z68.35", "Z68.41", "Z79.01", "Z79.4", "Z79.84", "Z87.891", "V43.52XA"]
write("poa_exempt_fy2024_sample.txt",
      "Order24\tPOAexemptCode\tDescription\n" +
      "".join(f"{i:05d}\t{c}\tSample exempt code {c}\n" for i, c in enumerate(POA, start=1)),
      crlf=True)

# --- HCPCS Level II attributes (the 19 columns of the official CSV) ------------------
HCPCS_HEADER = ('"hcpcs_code","price","multi","cov","betos","tos","action","cim","mcm",'
                '"statute","lab","xref","asc_grp","proc","anes","date_term","date_added",'
                '"date_asc","date_action"')
HCPCS = [
    ("G0439", "", "2011-01-01"),
    ("J0696", "", "2001-01-01"),
    ("J1100", "", "2000-01-01"),
    ("J1885", "", "2000-01-01"),
    ("J3301", "", "2000-01-01"),
    ("J3420", "", "2000-01-01"),
    ("G0101", "", "2002-01-01"),
    ("A0021", "", "1985-01-01"),
    ("J1094", "2024-06-30", "2001-01-01"),  # terminated mid-2024 (invented)
    ("J0139", "", "2024-07-01"),            # added mid-2024 (invented)
]
write("hcpcs_level2_2024_sample_attributes.csv",
      HCPCS_HEADER + "\n" +
      "".join(f'"{c}","00","9","C","O1A","1","N",,,,,,,,"0",{term},{added},,{added}\n'
              for c, term, added in HCPCS))

# --- NCCI PTP (TSV with the mirror's header) -----------------------------------------
PTP_HEADER = "column1\tcolumn2\tdeletion_date\tmodifier\trationale\n"
MISUSE = "Misuse of Column Two code with Column One code"
CPT_INSTR = "CPT Manual or CMS manual coding instruction"
STANDARDS = "Standards of medical/surgical practice"
PTP_PRACTITIONER = [
    ("20610", "96372", "*", "1", STANDARDS),
    ("20610", "99213", "*", "1", CPT_INSTR),
    ("20610", "99213", "20191231", "1", CPT_INSTR),
    ("20610", "99214", "*", "1", CPT_INSTR),
    ("20610", "99214", "20191231", "1", CPT_INSTR),
    ("27447", "20610", "*", "1", MISUSE),
    ("27447", "29877", "*", "1", "More extensive procedure"),
    ("27447", "29881", "*", "1", "More extensive procedure"),
    ("27447", "96372", "*", "1", STANDARDS),
    ("29881", "20610", "*", "1", MISUSE),
    ("29881", "29877", "*", "0", MISUSE),
    ("29881", "29877", "20020101", "9", MISUSE),
    ("29881", "96372", "*", "1", STANDARDS),
    ("29881", "99213", "*", "1", CPT_INSTR),
    ("45380", "45378", "*", "0", "CPT Separate procedure definition"),
    ("45380", "96372", "*", "1", STANDARDS),
    ("45385", "45378", "*", "0", "CPT Separate procedure definition"),
    ("45385", "45380", "*", "1", "More extensive procedure"),
    ("66984", "96372", "*", "1", STANDARDS),
    ("66984", "99213", "*", "1", CPT_INSTR),
    ("74177", "74176", "*", "1", "HCPCS/CPT procedure code definition"),
    ("76805", "76815", "*", "0", "More extensive procedure"),
    ("76805", "99213", "20001030", "9", STANDARDS),
    ("80053", "80048", "*", "0", CPT_INSTR),
    ("93000", "93005", "*", "1", "HCPCS/CPT procedure code definition"),
    ("97161", "99213", "*", "1", "Mutually exclusive procedures"),
    ("97161", "99213", "20191231", "1", "Mutually exclusive procedures"),
    ("99214", "99213", "*", "1", MISUSE),
    ("97140", "97110", "20240630", "1", "Mutually exclusive procedures"),  # invented
    ("97140", "97530", "*", "1", "Mutually exclusive procedures"),          # invented
]
write("ncci_ptp_practitioner_2024_sample.tsv",
      PTP_HEADER + "".join("\t".join(r) + "\n" for r in PTP_PRACTITIONER))
PTP_OUTPATIENT = [
    ("20610", "96372", "*", "1", STANDARDS),
    ("27447", "20610", "*", "1", MISUSE),
    ("27447", "29877", "*", "1", "More extensive procedure"),
    ("29881", "20610", "*", "1", MISUSE),
    ("29881", "29877", "*", "0", MISUSE),
    ("29881", "29877", "20020101", "9", MISUSE),
    ("45380", "45378", "*", "0", "CPT Separate procedure definition"),
    ("93000", "93005", "*", "1", "HCPCS/CPT procedure code definition"),
]
write("ncci_ptp_outpatient_hospital_2024_sample.tsv",
      PTP_HEADER + "".join("\t".join(r) + "\n" for r in PTP_OUTPATIENT))

# --- NCCI MUE (quoted CSV as in the mirror) ------------------------------------------
MUE = [
    ("20610", 2, 3, "Clinical: Data"), ("27447", 1, 2, "CMS Policy"),
    ("29877", 1, 2, "CMS Policy"), ("29881", 1, 2, "CMS Policy"),
    ("36415", 2, 3, "CMS Policy"), ("45378", 1, 3, "Nature of Service/Procedure"),
    ("45380", 1, 2, "Anatomic Consideration"), ("66984", 1, 2, "CMS Policy"),
    ("71046", 2, 3, "Clinical: Data"), ("73562", 3, 3, "Clinical: Data"),
    ("80053", 1, 3, "CMS Policy"), ("85025", 2, 3, "Clinical: Data"),
    ("93000", 3, 3, "Clinical: Data"), ("96372", 4, 3, "Clinical: Data"),
    ("97110", 6, 3, "Clinical: Data"), ("97140", 6, 3, "Clinical: Data"),
    ("99213", 2, 3, "Clinical: Data"), ("99214", 2, 3, "Clinical: Data"),
    ("G0439", 1, 2, "Code Descriptor / CPT Instruction"),
    ("J1885", 8, 3, "Prescribing Information"), ("J3301", 16, 3, "Prescribing Information"),
    ("J3420", 1, 3, "Prescribing Information"), ("99202", 1, 2, "CMS Policy"),
    ("83036", 1, 2, "Code Descriptor / CPT Instruction"),
    ("99291", 1, 1, "Code Descriptor / CPT Instruction"),  # MAI 1 row (invented)
]
MUE_HEADER = '"hcpcs_code","mue_units","mue_mai","mue_rationale","mue_service"\n'
write("ncci_mue_practitioner_2024_sample.csv",
      MUE_HEADER + "".join(f'"{c}",{u},{m},"{r}","Practitioner"\n' for c, u, m, r in MUE))
MUE_OP = [(c, 5 if c == "96372" else u, m, r) for c, u, m, r in MUE]
write("ncci_mue_outpatient_hospital_2024_sample.csv",
      MUE_HEADER + "".join(f'"{c}",{u},{m},"{r}","Outpatient Hospital"\n' for c, u, m, r in MUE_OP))

# --- NCCI add-on codes --------------------------------------------------------------
AOC = [("CCCCC", "0054T", 2), ("11042", "11045", 1), ("64483", "64484", 1),
       ("22600", "22614", 1), ("22612", "22614", 1), ("99291", "99292", 1),
       ("99213", "96160", 3), ("99214", "96160", 3), ("96374", "96375", 1),
       ("96365", "96375", 1)]
write("ncci_add_on_codes_2024_sample.csv",
      '"primary_code","add_on_code","aoc_edit_type"\n' +
      "".join(f'"{p}","{a}",{t}\n' for p, a, t in AOC))

# --- MCE: v41.1 layout (CSV, codes with dots) for FY2024 ------------------------------
V41 = [
    ("A33", "Age", "Perinatal/Newborn (Age 0 Only)"),
    ("P07.30", "Age", "Perinatal/Newborn (Age 0 Only)"),
    ("Z38.00", "Age", "Perinatal/Newborn (Age 0 Only)"),
    ("J45.909", "Age", "Pediatric (Ages 0-17)"),  # invented
    ("O80", "Age", "Maternity (Ages 9-64)"),
    ("O24.420", "Age", "Maternity (Ages 9-64)"),
    ("O34.211", "Age", "Maternity (Ages 9-64)"),
    ("Z37.0", "Age", "Maternity (Ages 9-64)"),
    ("Z3A.39", "Age", "Maternity (Ages 9-64)"),
    ("N40.0", "Age", "Adult (Ages 15-124)"),
    ("M81.0", "Age", "Adult (Ages 15-124)"),
    ("Z00.00", "Age", "Adult (Ages 15-124)"),
    ("O80", "Sex", "Female Only"),
    ("O24.420", "Sex", "Female Only"),
    ("Z3A.39", "Sex", "Female Only"),
    ("N40.0", "Sex", "Male Only"),
    ("E08.42", "Other", "Manifestation (Not Allowed as Principal Diagnosis)"),  # invented
]
write("mce_v41_1_fy2024_sample.csv",
      '"icd_code","icd_description","icd_conflict_group","icd_conflict_rule"\n' +
      "".join(f'"{c}","Sample title for {c}","{g}","{r}"\n' for c, g, r in V41))

# --- MCE: v37 layout (TSV, D/P code types, codes without dots) for FY2025 ------------
V37 = [
    ("4", "A", "Newborn_Only", "D", "Z3800"),
    ("4", "B", "Pediatric_Only", "D", "J45909"),
    ("4", "C", "Maternity_Only", "D", "O80"),
    ("4", "C", "Maternity_Only", "D", "Z3A39"),
    ("4", "D", "Adult_Only", "D", "N400"),
    ("5", "A", "Female_Only", "D", "O80"),
    ("5", "B", "Female_Only", "P", "0UT90ZZ"),
    ("5", "C", "Male_Only", "D", "N400"),
    ("5", "D", "Male_Only", "P", "0VT00ZZ"),
    ("6", "_", "Principal_Manifestation", "D", "E0842"),
    ("8", "A", "Principal_Questionable_Admit", "D", "R079"),
    ("9", "_", "Principal_Unacceptable", "D", "Z3A39"),
    ("11", "A", "Noncovered_Always", "P", "0DTJ4ZZ"),  # invented
    ("17", "A", "Limited_Coverage", "P", "30233N1"),   # invented
    ("19", "_", "Noncovered_LOS_96hr", "P", "5A1955Z"),
]
write("mce_v42_fy2025_sample.tsv",
      "MCE_Version\tICD_Version\tMCE_Section\tMCE_Subsection\tMCE_Edit_Type\tICD_Code_Type"
      "\tICD_Code\tICD_Desc\n" +
      "".join(f"42\t10\t{s}\t{ss}\t{t}\t{ct}\t{c}\tSample title for {c}\n"
              for s, ss, t, ct, c in V37))

# --- Inpatient-only list (user supplied: a code column) ------------------------------
write("inpatient_only_2024_sample.csv",
      "code,note\n33533,sample\n33534,sample\n27125,sample\n63075,sample\n")

# --- ICD-10-CM tabular XML: the CDC structure, a few chapters, synthetic notes ------
TABULAR = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2024</version>
  <chapter>
    <name>1</name>
    <desc>Sample chapter 1 (A00-B99)</desc>
    <useAdditionalCode>
      <note>code to identify resistance to antimicrobial drugs (Z16.-)</note>
    </useAdditionalCode>
    <excludes2>
      <note>sample excluded condition (O98.-)</note>
      <note>sample excluded range (P35-P39)</note>
    </excludes2>
    <section id="A00-A09">
      <desc>Sample section (A00-A09)</desc>
      <diag>
        <name>A00</name>
        <desc>Sample category A00</desc>
        <diag>
          <name>A00.0</name>
          <desc>Sample code A00.0</desc>
        </diag>
      </diag>
    </section>
  </chapter>
  <chapter>
    <name>4</name>
    <desc>Sample chapter 4 (E00-E89)</desc>
    <excludes1>
      <note>sample newborn disorders (P70-P74)</note>
    </excludes1>
    <section id="E08-E13">
      <desc>Sample section (E08-E13)</desc>
      <diag>
        <name>E08</name>
        <desc>Sample category E08</desc>
        <codeFirst>
          <note>the underlying condition, such as:</note>
          <note>sample condition (E24.-)</note>
          <note>sample neoplasm (C00-C96)</note>
          <note>sample disease (K85-K86.-)</note>
        </codeFirst>
        <useAdditionalCode>
          <note>sample control (Z79.4, Z79.84)</note>
        </useAdditionalCode>
        <excludes1>
          <note>sample type 1 (E10.-)</note>
          <note>sample type 2 (E11.-)</note>
          <note>sample gestational (O24.4-)</note>
        </excludes1>
        <diag>
          <name>E08.4</name>
          <desc>Sample E08.4</desc>
          <excludes2>
            <note>sample list (E08.42, E09.42)</note>
            <note>sample qualified range (T36-T65 with fifth or sixth character 5)</note>
          </excludes2>
          <diag>
            <name>E08.42</name>
            <desc>Sample E08.42</desc>
          </diag>
        </diag>
      </diag>
      <diag>
        <name>E11</name>
        <desc>Sample category E11</desc>
        <excludes1>
          <note>sample type 1 (E10.-)</note>
          <note>sample pregnancy (O00-O9A)</note>
        </excludes1>
        <diag>
          <name>E11.9</name>
          <desc>Sample E11.9</desc>
        </diag>
      </diag>
    </section>
  </chapter>
  <chapter>
    <name>9</name>
    <desc>Sample chapter 9 (I00-I99)</desc>
    <section id="I10-I16">
      <desc>Sample section (I10-I16)</desc>
      <excludes1>
        <note>sample neonatal hypertension (P29.2)</note>
      </excludes1>
      <diag>
        <name>I10</name>
        <desc>Sample I10</desc>
        <excludes2>
          <note>sample involving vessels (I60-I69)</note>
        </excludes2>
      </diag>
      <diag>
        <name>I11</name>
        <desc>Sample I11</desc>
        <codeFirst>
          <note>sample (I10-I16)</note>
        </codeFirst>
        <diag>
          <name>I11.0</name>
          <desc>Sample I11.0</desc>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""
write("icd10cm_tabular_fy2024_sample.xml", TABULAR)
