#!/usr/bin/python3
"""Converts the MIMIC-IV demo's ICD-10 admissions (../shared/data, never copied into the
repository) into coderaudit's encounter CSV, moving each admission into fiscal year 2025
so that the FY2025 code tables apply.

MIMIC shifts every patient's dates into 2110-2210 (a per-patient offset). Each admission
is moved by whole years so that its admission date falls in FY2025 (2024-10-01 ..
2025-09-30); the patient's birth date moves by the same number of years, so the age at
admission (anchor_age + admission year - anchor_year) is kept. Month and day are kept.
POA is not in MIMIC: diagnoses carry none (the POA convention edit fires on them).
Discharge status: MIMIC's discharge_location mapped to the UB-04 patient discharge status
(DISCHARGE_STATUS below: home 01, home health 06, skilled nursing 03, rehab 62, long-term
acute care 63, acute hospital 02, psychiatric facility 65, hospice 51, died 20, against
advice 07); an admission with no discharge location (42 of 275) has no status, which the
MCE reports as an invalid discharge status, as CMS's release does.
"""
import csv
import gzip
import sys
from collections import defaultdict

DISCHARGE_STATUS = {  # UB-04 patient discharge status codes
    "HOME": "01", "HOME HEALTH CARE": "06", "SKILLED NURSING FACILITY": "03",
    "REHAB": "62", "CHRONIC/LONG TERM ACUTE CARE": "63", "ACUTE HOSPITAL": "02",
    "PSYCH FACILITY": "65", "HOSPICE": "51", "DIED": "20", "AGAINST ADVICE": "07",
}


def rows(folder, name):
    with gzip.open(f"{folder}/{name}.csv.gz", "rt", newline="") as f:
        yield from csv.DictReader(f)


def shift(date_text, years):
    y, rest = int(date_text[:4]), date_text[4:10]
    if rest == "-02-29":
        rest = "-02-28"  # the target year may not be a leap year
    return f"{y + years:04d}{rest}"


def main(folder, out_path):
    patients = {r["subject_id"]: r for r in rows(folder, "patients")}
    dx = defaultdict(list)
    for r in rows(folder, "diagnoses_icd"):
        if r["icd_version"] == "10":
            dx[r["hadm_id"]].append((int(r["seq_num"]), r["icd_code"]))
    px = defaultdict(list)
    for r in rows(folder, "procedures_icd"):
        if r["icd_version"] == "10":
            px[r["hadm_id"]].append((int(r["seq_num"]), r["icd_code"], r["chartdate"][:10]))
    drg = {}
    for r in rows(folder, "drgcodes"):
        if r["drg_type"] == "HCFA":
            drg[r["hadm_id"]] = r["drg_code"].zfill(3)
    out = csv.writer(open(out_path, "w", newline=""), lineterminator="\n")
    out.writerow(["encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
                  "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
                  "code_type", "seq", "code", "poa", "modifiers", "units", "service_date", "charge"])
    admissions = sorted(rows(folder, "admissions"), key=lambda r: r["hadm_id"])
    written = 0
    for a in admissions:
        h = a["hadm_id"]
        if h not in dx:
            continue  # an ICD-9 admission
        p = patients[a["subject_id"]]
        admit, disch = a["admittime"][:10], a["dischtime"][:10]
        y, m = int(admit[:4]), int(admit[5:7])
        years = (2025 if m < 10 else 2024) - y
        birth_year = int(p["anchor_year"]) - int(p["anchor_age"]) + years
        header = [h, a["subject_id"], p["gender"], f"{birth_year:04d}-01-01", shift(admit, years),
                  shift(disch, years), "inpatient", "MIMIC-DEMO", "mimic", a["insurance"],
                  drg.get(h, ""), DISCHARGE_STATUS.get(a["discharge_location"], "")]
        first = True
        for seq, code in sorted(dx[h]):
            out.writerow((header if first else [h] + [""] * 11) + ["DX", seq, code, "", "", "", "", ""])
            first = False
        for seq, code, day in sorted(px[h]):
            when = shift(day, years)
            if not (header[4] <= when <= header[5]):
                when = ""  # charted outside the stay: fall back to the admission date
            out.writerow([h] + [""] * 11 + ["PCS", seq, code, "", "", "", when, ""])
        written += 1
    print(f"{written} ICD-10 admissions written to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
