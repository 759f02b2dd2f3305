#!/usr/bin/python3
"""Differential test: the official CMS Medicare Code Editor (the Java MCE 2.0 release in
../shared/oracles/cms-java, run through tools/mce-oracle/MceOracle.java) against
coderaudit's MCE pack, on the same claims, edit by edit and code by code, and claim by
claim on the decision: `coderaudit holds` holds a claim exactly when CMS gives it an edit
type other than NONE. The CMS release is the truth: every difference is printed and fails
the test.

Claims: generated (seeded) over the release's own code tables, discharge dates across
FY2016-FY2026 with weight on the fiscal-year and April boundaries, ages 0-124 plus a few
invalid ones, sex M/F/U, valid, retired, unknown and missing discharge statuses, lengths
of stay 0-30, admitting diagnoses, codes with every MCE attribute, codes valid only in
other years, made-up codes, duplicated principals, and the combinations the conditional
edits read (sterilization with Z30.2, pancreas with kidney transplant or type 1 diabetes,
artificial heart parts with and without a clinical trial, deliveries with and without an
outcome of delivery). With --mimic, also the MIMIC-IV demo's ICD-10 admissions, moved into
FY2025 as tests/realdata/mimic_to_encounters.py documents (discharge status mapped from
MIMIC's discharge location there).

    mce_parity.py --coderaudit BIN --repo REPO --work DIR [--claims N] [--seed S] [--mimic]

Exit 0: every edit agrees; 1: a difference; 77: skipped (../shared or java missing).
"""
import argparse
import collections
import csv
import datetime
import glob
import gzip
import json
import os
import random
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))

# The pack's rules and the CMS edit each one reports (rules/packs/mce.xml).
RULE_EDIT = {
    "MCE-INVALID-CODE": "INVALID_CODE",
    "MCE-INVALID-ADMIT-DX": "INVALID_ADMIT_DX",
    "MCE-ECODE-PRINCIPAL": "E_CODE_AS_PDX",
    "MCE-DUP-PRINCIPAL": "DUPLICATE_OF_PDX",
    "MCE-AGE": "AGE_CONFLICT",
    "MCE-SEX": "SEX_CONFLICT",
    "MCE-ADMIT-AGE": "AGE_CONFLICT",
    "MCE-ADMIT-SEX": "SEX_CONFLICT",
    "MCE-MANIFESTATION": "MANIFESTATION_AS_PDX",
    "MCE-QUESTIONABLE": "QUESTIONABLE_ADMISSION",
    "MCE-UNACCEPTABLE": "UNACCEPTABLE_PDX",
    "MCE-REQUIRES-SDX": "REQUIRES_SDX",
    "MCE-WRONG-PROCEDURE": "WRONG_PROCEDURE_PERFORMED",
    "MCE-UNSPECIFIED": "UNSPECIFIED",
    "MCE-NONCOVERED": "NON_COVERED",
    "MCE-LIMITED-COVERAGE": "LIMITED_COVERAGE",
    "MCE-QUESTIONABLE-OB": "QUESTIONABLE_OBSTETRIC_ADMISSION",
    "MCE-LOS": "INCONSISTENT_WITH_LENGTH_OF_STAY",
    "MCE-INVALID-AGE": "INVALID_AGE",
    "MCE-INVALID-SEX": "INVALID_SEX",
    "MCE-INVALID-DISCHARGE": "INVALID_DISCHARGE_STATUS",
}

# --before: the pack as it was before the CMS release (its list-based rules live on in
# tests/cases/code_editor_rules.xml), on the official code files and MCE lists it used.
BEFORE_RULE_EDIT = {
    "MCE-INVALID-DX": "INVALID_CODE", "MCE-HEADER-DX": "INVALID_CODE",
    "MCE-INVALID-PX": "INVALID_CODE", "MCE-ECODE-PRINCIPAL": "E_CODE_AS_PDX",
    "MCE-DUP-PRINCIPAL": "DUPLICATE_OF_PDX", "MCE-AGE-NEWBORN": "AGE_CONFLICT",
    "MCE-AGE-PEDIATRIC": "AGE_CONFLICT", "MCE-AGE-MATERNITY": "AGE_CONFLICT",
    "MCE-AGE-ADULT": "AGE_CONFLICT", "MCE-SEX-DX": "SEX_CONFLICT", "MCE-SEX-PX": "SEX_CONFLICT",
    "MCE-MANIFESTATION": "MANIFESTATION_AS_PDX", "MCE-QUESTIONABLE": "QUESTIONABLE_ADMISSION",
    "MCE-UNACCEPTABLE": "UNACCEPTABLE_PDX", "MCE-NONCOVERED": "NON_COVERED",
    "MCE-NONCOVERED-OVER60": "NON_COVERED",
    "MCE-NONCOVERED-LOS96": "INCONSISTENT_WITH_LENGTH_OF_STAY",
    "MCE-WRONG-PROCEDURE": "WRONG_PROCEDURE_PERFORMED", "MCE-LIMITED-COVERAGE": "LIMITED_COVERAGE",
    "MCE-INVALID-AGE": "INVALID_AGE", "MCE-INVALID-SEX": "INVALID_SEX",
    "MCE-INVALID-DISCHARGE": "INVALID_DISCHARGE_STATUS",
}
BEFORE_TABLES = [  # kind, file in ../shared/data, version, from, to
    ("icd10cm-order", "icd10/icd10cm_fy2025_code_descriptions.zip", "FY2025", "2024-10-01", "2025-09-30"),
    ("icd10cm-order", "icd10/icd10cm_fy2026_code_descriptions.zip", "FY2026", "2025-10-01", "2026-09-30"),
    ("icd10pcs-order", "icd10/icd10pcs_fy2026_order.zip", "FY2026", "2025-10-01", "2026-09-30"),
    ("mce", "mce/mce_v37_fy2020_code_edits.tsv", "v37", "2019-10-01", "2020-09-30"),
    ("mce", "mce/mce_v41_1_fy2024_code_edits.csv", "v41.1", "2023-10-01", "2024-09-30"),
]

FIRST = datetime.date(2015, 10, 1)
LAST = datetime.date(2026, 9, 30)
VALID_STATUS = ["01", "02", "03", "04", "05", "06", "07", "20", "21", "30", "43", "50",
                "51", "61", "62", "63", "64", "65", "66", "69", "70", "81", "82", "84",
                "86", "93", "95"]
OTHER_STATUS = ["08", "10", "13", "22", "23", "71", "72", "00", "09", "99", "40", "41", "42"]
# The combinations the conditional edits read.
COMBOS = [
    (["Z30.2"], ["0UL70ZZ"]), (["Z30.2"], ["0VLQ0ZZ"]), ([], ["0UL70ZZ"]),
    (["E10.22"], ["0FYG0Z0"]), ([], ["0FYG0Z0"]), ([], ["0FYG0Z0", "0TY00Z0"]),
    (["Z00.6"], ["02RK0JZ", "02RL0JZ"]), ([], ["02RK0JZ", "02RL0JZ"]), ([], ["02RK0JZ"]),
    (["O82", "Z37.0"], ["10D00Z1"]), (["O80"], ["10D07Z3"]), (["Z37.0", "O80"], ["10D07Z3"]),
    (["J96.01"], ["5A1955Z"]), (["M51.36"], ["0SR20JZ"]), (["C91.00"], ["30233G1"]),
    (["C90.00"], ["30230G2"]),
]


def skip(why):
    print(f"skipped: {why}")
    sys.exit(SKIP)


def dotted(code):
    return code[:3] + "." + code[3:] if len(code) > 3 else code


def load_codes(repo, jar):
    sys.path.insert(0, os.path.join(repo, "tools", "mce-oracle"))
    import mce_bin
    dx, px = collections.defaultdict(list), collections.defaultdict(list)
    all_dx, all_px = set(), set()
    for procedure, code, start, end, flags in mce_bin.code_rows(mce_bin.read_jar(jar)):
        (all_px if procedure else all_dx).add(code)
        for f in flags:
            (px if procedure else dx)[f].append(code)
    return ({f: sorted(set(c)) for f, c in dx.items()}, {f: sorted(set(c)) for f, c in px.items()},
            sorted(all_dx), sorted(all_px))


class Generator:
    def __init__(self, rng, codes):
        self.rng = rng
        self.dx_flags, self.px_flags, self.all_dx, self.all_px = codes

    def date(self):
        r = self.rng
        if r.random() < 0.3:  # on or next to a boundary: Oct 1, Apr 1 and the days before
            year = r.randint(2016, 2026)
            day = r.choice([datetime.date(year - 1, 10, 1), datetime.date(year, 4, 1),
                            datetime.date(year, 9, 30), datetime.date(year, 3, 31),
                            datetime.date(2024, 9, 30), datetime.date(2024, 10, 1)])
            return min(max(day, FIRST), LAST)
        return FIRST + datetime.timedelta(days=r.randint(0, (LAST - FIRST).days))

    def dx(self):
        r = self.rng
        x = r.random()
        if x < 0.55:
            return r.choice(self.dx_flags[r.choice(sorted(self.dx_flags))])
        if x < 0.92:
            return r.choice(self.all_dx)
        if x < 0.97:
            return r.choice(self.all_dx)[:r.randint(3, 4)]  # a category or subcategory
        return r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + str(r.randint(0, 99)).zfill(2) + \
            r.choice(["", "9", "X1", "ZZ9"])

    def px(self):
        r = self.rng
        x = r.random()
        if x < 0.6:
            return r.choice(self.px_flags[r.choice(sorted(self.px_flags))])
        if x < 0.97:
            return r.choice(self.all_px)
        return r.choice(self.all_px)[:6] + "X"

    def claim(self, n):
        r = self.rng
        discharge = self.date()
        los = r.choice([0, 1, 2, 3, 4, 4, 5, 5, 6, 7, 10, 30])
        admit = discharge - datetime.timedelta(days=los)
        age = r.randint(0, 124) if r.random() < 0.97 else r.randint(125, 130)
        if r.random() < 0.2:
            age = r.choice([0, 8, 9, 11, 12, 14, 15, 17, 18, 55, 56, 60, 61, 64, 65, 124])
        sex = r.choice("MMMMFFFFUU")
        x = r.random()
        status = (r.choice(VALID_STATUS) if x < 0.9 else r.choice(OTHER_STATUS) if x < 0.97
                  else "")
        principal = self.dx()
        secondaries = [self.dx() for _ in range(r.choice([0, 0, 1, 2, 3, 4, 6, 8]))]
        if r.random() < 0.1:
            secondaries.insert(r.randint(0, len(secondaries)), principal)
        procedures = [self.px() for _ in range(r.choice([0, 0, 1, 1, 2, 3, 5]))]
        if r.random() < 0.25:
            extra_dx, extra_px = r.choice(COMBOS)
            secondaries += [c.replace(".", "") for c in extra_dx]
            procedures += extra_px
        admitting = self.dx() if r.random() < 0.3 else ""
        return {"id": f"G{n:06d}", "admit": admit, "discharge": discharge, "age": age,
                "sex": sex, "status": status, "admitting": admitting, "pdx": principal,
                "sdx": secondaries, "px": procedures}


def birth_date(admit, age):
    try:
        return admit.replace(year=admit.year - age)
    except ValueError:  # Feb 29
        return admit.replace(year=admit.year - age, day=28)


def mimic_claims(repo, data):
    sys.path.insert(0, os.path.join(repo, "tests", "realdata"))
    import mimic_to_encounters as m
    folder = os.path.join(data, "encounters", "mimic-iv-demo")
    patients = {r["subject_id"]: r for r in m.rows(folder, "patients")}
    dx, px = collections.defaultdict(list), collections.defaultdict(list)
    for r in m.rows(folder, "diagnoses_icd"):
        if r["icd_version"] == "10":
            dx[r["hadm_id"]].append((int(r["seq_num"]), r["icd_code"]))
    for r in m.rows(folder, "procedures_icd"):
        if r["icd_version"] == "10":
            px[r["hadm_id"]].append((int(r["seq_num"]), r["icd_code"]))
    out = []
    for a in sorted(m.rows(folder, "admissions"), key=lambda r: r["hadm_id"]):
        h = a["hadm_id"]
        if h not in dx:
            continue
        p = patients[a["subject_id"]]
        admit_text = a["admittime"][:10]
        y, mo = int(admit_text[:4]), int(admit_text[5:7])
        years = (2025 if mo < 10 else 2024) - y
        admit = datetime.date.fromisoformat(m.shift(admit_text, years))
        discharge = datetime.date.fromisoformat(m.shift(a["dischtime"][:10], years))
        age = int(p["anchor_age"]) + y - int(p["anchor_year"])
        codes = [c for _, c in sorted(dx[h])]
        out.append({"id": f"M{h}", "admit": admit, "discharge": discharge, "age": max(age, 0),
                    "sex": p["gender"], "status": m.DISCHARGE_STATUS.get(a["discharge_location"], ""),
                    "admitting": "", "pdx": codes[0], "sdx": codes[1:],
                    "px": [c for _, c in sorted(px[h])]})
    return out


def write_inputs(claims, csv_path, tsv_path):
    header = ["encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
              "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
              "admitting_dx", "code_type", "seq", "code", "poa", "modifiers", "units",
              "service_date", "charge"]
    with open(csv_path, "w", newline="") as f, open(tsv_path, "w") as t:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for c in claims:
            head = [c["id"], "P" + c["id"], c["sex"], birth_date(c["admit"], c["age"]).isoformat(),
                    c["admit"].isoformat(), c["discharge"].isoformat(), "inpatient", "PR1", "C1",
                    "", "", c["status"], dotted(c["admitting"]) if c["admitting"] else ""]
            rows = [("DX", i + 1, dotted(code)) for i, code in enumerate([c["pdx"]] + c["sdx"])]
            rows += [("PCS", i + 1, code) for i, code in enumerate(c["px"])]
            for k, (kind, seq, code) in enumerate(rows):
                w.writerow((head if k == 0 else [c["id"]] + [""] * 12) +
                           [kind, seq, code, "", "", "", "", ""])
            sex = {"M": "1", "F": "2"}.get(c["sex"], "0")
            t.write("\t".join([c["id"], c["discharge"].strftime("%Y%m%d"), str(c["age"]), sex,
                               str(int(c["status"])) if c["status"] else "",
                               str((c["discharge"] - c["admit"]).days), c["admitting"], c["pdx"],
                               " ".join(c["sdx"]), " ".join(c["px"])]) + "\n")


def oracle_edit_types(out_text):
    return {line.split("\t")[0]: line.split("\t")[1] for line in out_text.splitlines()}


def compare_decisions(name, claims, edit_types, decisions):
    """coderaudit's hold/release against CMS's edit type: CMS gives a claim an edit type
    other than NONE exactly when an edit it counts is set (edits on the admitting
    diagnosis are reported but never counted), and the pack's dispositions hold exactly
    those claims."""
    differing = [c for c in claims
                 if (edit_types.get(c["id"], "NONE") != "NONE") != (decisions[c["id"]] == "hold")]
    held = sum(1 for c in claims if decisions[c["id"]] == "hold")
    print(f"{name}: hold/release against CMS's edit type: {len(claims) - len(differing)} of "
          f"{len(claims)} agree (coderaudit holds {held})")
    for c in differing[:20]:
        print(f"  DECISION {c['id']}: CMS edit type {edit_types.get(c['id'])}, coderaudit "
              f"{decisions[c['id']]}")
    return not differing


def oracle_edits(out_text):
    edits = {}
    for line in out_text.splitlines():
        fields = line.split("\t")
        bag = collections.Counter()
        for token in fields[2:]:
            parts = token.split(":")
            if parts[0] == "claim":
                bag[("claim", "", parts[1])] += 1
            else:
                role = parts[0].rstrip("0123456789")
                bag[(role, parts[1], parts[2])] += 1
        edits[fields[0]] = bag
    return edits


def coderaudit_edits(findings, claims, rule_edit):
    by_id = {c["id"]: c for c in claims}
    edits = {c["id"]: collections.Counter() for c in claims}
    for f in findings:
        c = by_id[f["encounter_id"]]
        edit = rule_edit[f["rule_id"]]
        if f["lines"]:
            line = f["lines"][0] - 1
            codes = [("PDX", c["pdx"])] + [("SDX", s) for s in c["sdx"]] + \
                    [("PX", p) for p in c["px"]]
            role, code = codes[line]
            edits[c["id"]][(role, code, edit)] += 1
        elif f["values"].get("position") == "admitting":
            edits[c["id"]][("ADMIT", c["admitting"], edit)] += 1
        else:
            edits[c["id"]][("claim", "", edit)] += 1
    return edits


def compare(name, claims, oracle, ours, quiet=False):
    per_edit = collections.defaultdict(lambda: [0, 0, 0])  # cms, coderaudit, agreeing
    differing = []
    for c in claims:
        a, b = oracle.get(c["id"], collections.Counter()), ours[c["id"]]
        for key in set(a) | set(b):
            per_edit[key[2]][0] += a[key]
            per_edit[key[2]][1] += b[key]
            per_edit[key[2]][2] += min(a[key], b[key])
        if a != b:
            differing.append((c, a - b, b - a))
    total = [sum(v[i] for v in per_edit.values()) for i in range(3)]
    print(f"{name}: {len(claims)} claims compared, {len(claims) - len(differing)} agree on every "
          f"edit; edits: CMS {total[0]}, coderaudit {total[1]}, agreeing {total[2]}")
    for edit in sorted(per_edit):
        cms, us, both = per_edit[edit]
        print(f"  {edit:34s} CMS {cms:6d}  coderaudit {us:6d}  agreeing {both:6d}")
    for c, only_cms, only_us in ([] if quiet else differing[:20]):
        print(f"  DIFF {c['id']} discharge {c['discharge']} age {c['age']} sex {c['sex']} "
              f"status '{c['status']}' pdx {c['pdx']} sdx {c['sdx']} px {c['px']} "
              f"admitting '{c['admitting']}': only CMS {dict(only_cms)}, only coderaudit "
              f"{dict(only_us)}")
    return not differing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--coderaudit", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--mimic", action="store_true")
    ap.add_argument("--before", action="store_true",
                    help="also measure the pack as it was before the CMS release (not a pass/fail)")
    args = ap.parse_args()

    shared = os.path.join(args.repo, "..", "shared")
    oracle_dir = os.path.join(shared, "oracles", "cms-java")
    jar = os.path.join(oracle_dir, "MCE-2.0-43.1.0.0.jar")
    if not os.path.isfile(jar):
        skip(f"the CMS MCE release is not at {oracle_dir} (../shared absent)")
    if not shutil.which("java") or not shutil.which("javac"):
        skip("java/javac (Debian openjdk-17-jdk-headless) not installed")
    classpath = ":".join(sorted(glob.glob(os.path.join(oracle_dir, "*.jar"))))

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    classes = os.path.join(work, "classes")
    subprocess.run(["javac", "-d", classes, "-cp", classpath,
                    os.path.join(args.repo, "tools", "mce-oracle", "MceOracle.java")], check=True)
    refdata = os.path.join(work, "refdata")
    subprocess.run([args.coderaudit, "refdata", "import", "mce-release", jar, "--dir", refdata],
                   check=True, stdout=subprocess.DEVNULL)

    rng = random.Random(args.seed)
    gen = Generator(rng, load_codes(args.repo, jar))
    sets = [("generated", [gen.claim(n) for n in range(args.claims)])]
    if args.mimic:
        data = os.path.join(shared, "data")
        if os.path.isdir(os.path.join(data, "encounters", "mimic-iv-demo")):
            sets.append(("MIMIC-IV demo", mimic_claims(args.repo, data)))
        else:
            print("MIMIC-IV demo not in ../shared/data: only generated claims compared")

    ok = True
    for name, claims in sets:
        tag = name.split()[0].lower()
        csv_path, tsv_path = os.path.join(work, tag + ".csv"), os.path.join(work, tag + ".tsv")
        write_inputs(claims, csv_path, tsv_path)
        with open(tsv_path) as t:
            cms = subprocess.run(["java", "-cp", classpath + ":" + classes, "MceOracle"], stdin=t,
                                 capture_output=True, text=True, check=True).stdout
        db = os.path.join(work, tag + ".db")
        rules = os.path.join(args.repo, "rules", "packs", "mce.xml")
        run = subprocess.run([args.coderaudit, "check", "--rules", rules, "--refdata", refdata,
                              "--db", db, "--require-coverage", csv_path],
                             capture_output=True, text=True)
        if run.returncode not in (0, 1):
            print(run.stdout, run.stderr)
            print(f"FAIL: coderaudit check exited {run.returncode}")
            return 1
        listed = subprocess.run([args.coderaudit, "findings", "--db", db, "--format", "json"],
                                capture_output=True, text=True, check=True).stdout
        findings = json.loads(listed)["findings"]
        ok = compare(name, claims, oracle_edits(cms),
                     coderaudit_edits(findings, claims, RULE_EDIT)) and ok
        holds = json.loads(subprocess.run(
            [args.coderaudit, "holds", "--db", db, "--format", "json"],
            capture_output=True, text=True, check=True).stdout)
        if not holds.get("all_claims_listed"):
            print("FAIL: holds did not list every claim")
            return 1
        decisions = {c["encounter_id"]: c["decision"] for c in holds["claims_list"]}
        ok = compare_decisions(name, claims, oracle_edit_types(cms), decisions) and ok
        if args.before:
            before_findings = run_before(args, shared, work, tag, csv_path)
            compare(name + " (before: list-based pack)", claims, oracle_edits(cms),
                    coderaudit_edits(before_findings, claims, BEFORE_RULE_EDIT), quiet=True)
    return 0 if ok else 1


def run_before(args, shared, work, tag, csv_path):
    refdata = os.path.join(work, "refdata-before")
    if not os.path.isdir(refdata):
        for kind, path, version, start, end in BEFORE_TABLES:
            subprocess.run([args.coderaudit, "refdata", "import", kind,
                            os.path.join(shared, "data", path), "--dir", refdata, "--version",
                            version, "--from", start, "--to", end],
                           check=True, stdout=subprocess.DEVNULL)
    db = os.path.join(work, tag + "-before.db")
    subprocess.run([args.coderaudit, "check", "--rules",
                    os.path.join(args.repo, "tests", "cases", "code_editor_rules.xml"),
                    "--refdata", refdata, "--db", db, csv_path], capture_output=True, text=True)
    listed = subprocess.run([args.coderaudit, "findings", "--db", db, "--format", "json"],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(listed)["findings"]


if __name__ == "__main__":
    sys.exit(main())
