#!/usr/bin/env python3
"""Generates the synthetic coderaudit samples (no real patient data anywhere).

Writes, into --out (default: this script's folder):
  encounters.csv       coded encounters, layout schemas/encounters-csv.md
  auditor.csv          an auditor's complete re-coding of 15 encounters per coder,
                       layout schemas/auditor-csv.md
  expected_scores.csv  per-coder ground truth, counted from the error-injection log
                       (never from a diff of the two files)
  drg_weights.csv      synthetic MS-DRG relative weights (layout schemas/payment-csv.md)
  cc_mcc.csv           CC/MCC levels of the secondary diagnoses used here
  auditor_b.csv        a second auditor (A03) on every other audited encounter
  expected_agreement.csv  agreement and Cohen's kappa of A01/A02 vs A03, from the log
  bad_encounters.csv   a small file with malformed rows, for the reject path

Deterministic: one random.Random(20261123) drives everything, so a rerun gives
byte-identical files (LF line endings). Python 3 standard library only.
  --log   also print the per-encounter injection log (tab separated) to stdout.
See README.md in this folder for what the files contain and why.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
from dataclasses import dataclass, field
from random import Random

SEED = 20261123
CODERS = [f"C{i:02d}" for i in range(1, 8)]
AUDITORS = ["A01", "A02"]
N_INPATIENT, N_OUTPATIENT, N_PROFESSIONAL = 90, 100, 120
AUDITS_PER_CODER = 15  # 5 inpatient, 5 outpatient, 5 professional

# Target code accuracy per coder (benchmark 0.95). C03 is placed exactly on the
# benchmark (matches / (matches + errors) == 0.95) to test ">=".
TARGET_ACCURACY = {"C01": 0.99, "C02": 0.97, "C03": 0.95, "C04": 0.93,
                   "C05": 0.90, "C06": 0.85, "C07": 0.96}
EXACT_BENCHMARK_CODER = "C03"

ENC_COLUMNS = ["encounter_id", "patient_id", "sex", "birth_date", "from_date",
               "through_date", "claim_type", "provider_id", "coder_id", "payer", "drg",
               "discharge_status", "code_type", "seq", "code", "poa", "modifiers", "units",
               "service_date", "charge"]
AUD_COLUMNS = ["encounter_id", "auditor_id", "code_type", "seq", "code", "poa",
               "modifiers", "units", "service_date", "drg", "reason", "comment", "removed"]
SCORE_COLUMNS = ["coder_id", "encounters", "codes_reviewed", "matches", "errors", "added",
                 "omitted", "revised", "resequenced", "modifier", "units",
                 "error_free_encounters", "poa", "drg_encounters", "drg_changes",
                 "over_coded", "under_coded", "overpayment", "underpayment"]

# --------------------------------------------------------------------------------------
# Code facts (values only; every ICD-10-CM code below is billable in FY2024 and FY2025,
# every ICD-10-PCS code is a valid 7-character code, every CPT/HCPCS code is active 2024).

# Diagnoses exempt from POA reporting (CMS POA-exempt list): POA left empty.
POA_EXEMPT = {"Z68.35", "Z68.41", "Z87.891", "Z79.01", "Z79.4", "Z79.84", "Z79.899",
              "Z3A.39", "Z3A.38", "Z3A.28", "Z3A.32", "Z37.0", "Z86.73", "Z91.81",
              "Z00.00", "Z00.01", "Z12.11", "O80"}

# CC / MCC designations (MS-DRG v41) of the secondary diagnoses used here.
CC_MCC = {"A41.9": "MCC", "A41.51": "MCC", "D62": "CC", "E87.1": "CC", "I21.4": "MCC",
          "I50.22": "CC", "I50.23": "MCC", "I50.32": "CC", "I63.9": "MCC", "J18.9": "MCC",
          "J44.0": "CC", "J44.1": "CC", "J96.01": "MCC", "K80.00": "CC", "K80.10": "CC",
          "K92.1": "CC", "N17.0": "MCC", "N17.9": "CC", "N18.4": "CC", "N39.0": "CC",
          "R65.20": "MCC", "Z68.41": "CC"}

# Comorbidity bundles: (group, codes, sex restriction or None). One bundle per group.
COMORBID = [
    ("htn", ["I10"], None),
    ("dm", ["E11.9"], None),
    ("dm", ["E11.9", "Z79.84"], None),
    ("dm", ["E11.65", "Z79.4"], None),
    ("dmckd", ["E11.22", "I12.9", "N18.31"], None),
    ("lipid", ["E78.5"], None),
    ("lipid", ["E78.00"], None),
    ("gerd", ["K21.9"], None),
    ("psy", ["F32.A"], None),
    ("psy", ["F41.1"], None),
    ("osa", ["G47.33"], None),
    ("obes", ["E66.9", "Z68.35"], None),
    ("obes", ["E66.01", "Z68.41"], None),
    ("tob", ["F17.210"], None),
    ("tob", ["Z87.891"], None),
    ("af", ["I48.91", "Z79.01"], None),
    ("thy", ["E03.9"], None),
    ("anem", ["D64.9"], None),
    ("bph", ["N40.0"], "M"),
    ("osteo", ["M81.0"], None),
    ("vitd", ["E55.9"], None),
    ("cad", ["I25.10"], None),
    ("asthma", ["J45.909"], None),
]
# Groups that conflict with each other (ICD-10-CM conventions / clinical sense).
GROUP_CONFLICTS = {("htn", "dmckd"), ("dm", "dmckd"), ("cad", "cad")}

# --- error injection tables ---------------------------------------------------------
# Same 3-character category, different code: a "revised" pair (coder -> auditor).
DX_REVISE = {
    "E11.9": "E11.65", "E11.65": "E11.9", "E78.5": "E78.2", "E78.00": "E78.2",
    "J44.1": "J44.0", "J44.0": "J44.1", "N18.31": "N18.32", "M17.11": "M17.12",
    "M17.12": "M17.11", "M16.11": "M16.12", "M16.12": "M16.11", "M54.50": "M54.59",
    "K21.9": "K21.00", "F32.A": "F32.9", "F41.1": "F41.9", "G47.33": "G47.30",
    "I48.91": "I48.0", "E66.9": "E66.01", "E03.9": "E03.8", "D64.9": "D64.89",
    "I50.22": "I50.23", "I50.23": "I50.22", "I50.32": "I50.33", "J18.9": "J18.1",
    "A41.9": "A41.51", "N17.9": "N17.0", "K80.10": "K80.00", "K92.2": "K92.1",
    "I63.9": "I63.512", "I25.10": "I25.119", "K35.80": "K35.890", "M25.561": "M25.562",
    "M25.562": "M25.561", "M19.011": "M19.012", "R07.9": "R07.89", "J06.9": "J06.0",
    "M23.221": "M23.222", "O24.410": "O24.414", "O24.420": "O24.424", "Z3A.39": "Z3A.38",
    "Z3A.38": "Z3A.39", "Z79.4": "Z79.84", "Z79.84": "Z79.4", "F17.210": "F17.200",
    "R05.1": "R05.9", "J02.9": "J02.0", "Z00.00": "Z00.01",
}
# Secondary diagnoses an auditor may strike (coder "added" them).
DX_REMOVABLE = {"I10", "E78.5", "E78.00", "K21.9", "F32.A", "F41.1", "G47.33", "E03.9",
                "D64.9", "M81.0", "E55.9", "Z79.4", "Z79.84", "Z87.891", "F17.210",
                "Z79.01", "J45.909", "I25.10", "D62", "E87.1"}
# Diagnoses an auditor may add (coder "omitted" them), with their POA for inpatients.
DX_OMIT_POOL = ["Z79.899", "E87.6", "E55.9", "D64.9", "E78.5", "K21.9", "F41.1", "G47.33",
                "E03.9", "Z91.81", "M81.0", "Z86.73", "Z87.891"]
# Resequencing: per claim kind, the principal / first-listed diagnoses an auditor may
# demote (medical admissions, chronic-care visits; never a code tied to a procedure or
# a Z/O code) and the secondaries it may promote in their place.
RESEQ_IP_FROM = {"I11.0", "J44.1", "J18.9", "A41.9", "N17.9"}
RESEQ_IP_TO = {"I50.22", "I50.23", "I50.32", "N39.0", "J96.01", "E87.1", "E86.0"}
RESEQ_VISIT_FROM = {"K21.9", "E11.65", "E78.5", "I10", "F32.A", "E11.9", "E03.9",
                    "M54.50", "J44.1"}
RESEQ_VISIT_TO = {"I10", "E11.9", "E11.65", "E78.5", "K21.9", "F32.A", "F41.1",
                  "J45.909", "E03.9", "I48.91", "G47.33", "E78.00"}
DX_EXCLUDES = {("Z87.891", "F17"), ("E78.5", "E78"), ("F41.1", "F41")}

PCS_REVISE = {"0SRC0J9": "0SRC0JZ", "0SRD0J9": "0SRD0JZ", "0SR9019": "0SR901Z",
              "0SRB019": "0SRB01Z", "0DTJ4ZZ": "0DTJ0ZZ", "027034Z": "02703DZ",
              "0FT44ZZ": "0FT40ZZ", "10D00Z1": "10D00Z0", "B2111ZZ": "B2151ZZ",
              "4A023N7": "4A023N6"}
PCS_REMOVABLE = {"B2111ZZ", "4A023N7", "30233N1", "0DB68ZX"}
PCS_OMIT_POOL = ["30233N1", "02HV33Z", "0BH17EZ", "5A1945Z", "0W9G3ZZ"]

HCPCS_REVISE = {"99202": "99203", "99203": "99204", "99204": "99203", "99205": "99204",
                "99212": "99213", "99213": "99214", "99214": "99213", "99215": "99214",
                "99283": "99284", "99284": "99285", "71046": "71045", "73562": "73564",
                "80053": "80048", "45380": "45385", "45385": "45380", "97161": "97162",
                "85025": "85027", "29881": "29880", "81003": "81002"}
HCPCS_REMOVABLE = {"36415", "85025", "80053", "80048", "80061", "83036", "84443", "81003",
                   "93000", "71046", "73562", "87880", "96372", "93005"}
HCPCS_OMIT_POOL = ["36415", "85025", "84443", "83036", "81003", "80061"]
HCPCS_UNIT_CODES = {"J1885", "J3301", "J1100", "J0696", "J3420", "96372"}
EM_CODES = {"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"}
ESTABLISHED_EM = {"99211", "99212", "99213", "99214", "99215"}
LATERAL_CODES = {"20610", "27447", "29881", "29880", "29877", "66984", "73562"}

# Billed charges per unit: (facility, professional).
CHARGES = {
    "99202": (160, 110), "99203": (230, 165), "99204": (340, 250), "99205": (440, 330),
    "99211": (40, 30), "99212": (120, 80), "99213": (180, 125), "99214": (260, 185),
    "99215": (360, 250), "99283": (650, 140), "99284": (980, 230), "99285": (1450, 330),
    "G0439": (230, 175),
    "20610": (420, 210), "27447": (31000, 2400), "29881": (9800, 1350),
    "29877": (4200, 620), "66984": (6200, 950), "45378": (2900, 520), "45380": (3300, 610),
    "45385": (3600, 680), "96372": (95, 45), "36415": (25, 12), "80053": (95, 42),
    "80048": (70, 30), "85025": (55, 24), "80061": (80, 38), "83036": (60, 28),
    "84443": (75, 35), "81003": (25, 12), "87880": (45, 28), "71046": (310, 95),
    "73562": (290, 88), "93000": (95, 45), "93005": (120, 40), "74177": (2900, 380),
    "76805": (640, 210), "76815": (420, 140), "97110": (120, 55), "97140": (110, 50),
    "97161": (210, 120), "J1885": (12, 6), "J3301": (9, 4), "J1100": (4, 2),
    "J0696": (18, 9), "J3420": (14, 7),
}

# --------------------------------------------------------------------------------------
# Model


@dataclass
class Patient:
    pid: str
    sex: str
    birth: dt.date


@dataclass
class Line:
    type: str                # DX PCS HCPCS
    code: str
    seq: int = 0
    poa: str = ""
    mods: tuple = ()
    units: int = 1
    date: dt.date | None = None
    units_blank: bool = False  # HCPCS units left empty (defaults to 1)
    date_blank: bool = False   # service date left empty (defaults to from_date)
    charge: str = ""


@dataclass
class Encounter:
    eid: str
    patient: Patient
    start: dt.date
    end: dt.date
    claim_type: str
    provider: str
    coder: str
    payer: str
    drg: str = ""
    dstatus: str = ""
    lines: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    repeat_header: bool = False

    def lines_of(self, t):
        return [ln for ln in self.lines if ln.type == t]


def category(code: str) -> str:
    return code.replace(".", "")[:3]


def age_at(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def npi(rng: Random) -> str:
    """A fake 10-digit NPI starting with 9 that still passes the NPI Luhn check."""
    body = "9" + "".join(str(rng.randrange(10)) for _ in range(8))
    digits = [int(c) for c in "80840" + body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------------------
# World: providers, patients, dates


class World:
    def __init__(self, rng: Random):
        self.rng = rng
        self.facilities = {name: npi(rng) for name in ("general", "university", "community")}
        self.practitioners = {}
        for spec, n in (("ortho", 2), ("family", 2), ("internal", 2), ("obgyn", 1),
                        ("cardio", 1), ("gi", 1)):
            for i in range(n):
                self.practitioners[f"{spec}{i + 1}"] = npi(rng)
        self.patients: list[Patient] = []
        self.used_pids: set[str] = set()

    def practitioner(self, spec: str) -> str:
        keys = sorted(k for k in self.practitioners if k.startswith(spec))
        return self.practitioners[self.rng.choice(keys)]

    def facility(self) -> str:
        return self.facilities[self.rng.choice(["general", "general", "university", "community"])]

    def date_2024(self, last_day=350) -> dt.date:
        return dt.date(2024, 1, 2) + dt.timedelta(days=self.rng.randrange(last_day))

    def patient(self, sex: str, amin: int, amax: int, when: dt.date, reuse=0.25) -> Patient:
        rng = self.rng
        if rng.random() < reuse:
            fits = [p for p in self.patients
                    if p.sex == sex and amin <= age_at(p.birth, when) <= amax]
            if fits:
                return rng.choice(fits)
        age = rng.randint(amin, amax)
        birth = when - dt.timedelta(days=int(age * 365.25) + rng.randrange(1, 360))
        while age_at(birth, when) != age:
            birth += dt.timedelta(days=1 if age_at(birth, when) > age else -1)
        while True:
            pid = f"PT{rng.randrange(10000, 99999)}"
            if pid not in self.used_pids:
                break
        self.used_pids.add(pid)
        p = Patient(pid, sex, birth)
        self.patients.append(p)
        return p


def payer_for(rng: Random, age: int) -> str:
    if age >= 65:
        return rng.choice(["MEDICARE"] * 4 + ["AETNA", "UHC"])
    return rng.choice(["BCBS", "BCBS", "AETNA", "UHC", "CIGNA", "MEDICAID", "SELFPAY"])


def comorbidities(rng: Random, n: int, sex: str, exclude: set, taken_cats: set) -> list[str]:
    out = []
    groups_used = set(exclude)
    bundles = COMORBID[:]
    rng.shuffle(bundles)
    for group, codes, sex_only in bundles:
        if len(out) >= n:
            break
        if group in groups_used or (sex_only and sex_only != sex):
            continue
        if any((group, g) in GROUP_CONFLICTS or (g, group) in GROUP_CONFLICTS
               for g in groups_used):
            continue
        cats = {category(c) for c in codes}
        if cats & taken_cats:
            continue
        if any(category(c) == "F17" for c in codes) and any(
                c.startswith("Z87") for c in out):
            continue
        groups_used.add(group)
        taken_cats |= cats
        out.extend(codes)
    return out


# --------------------------------------------------------------------------------------
# Inpatient templates: return (pdx list, secondary list with poa, pcs [(code, day)],
# drg family (mcc, cc, none), los range, sex, age range, exclude groups, discharge choices)

def drg_for(family, secondaries):
    levels = {CC_MCC.get(c) for c in secondaries}
    mcc, cc, none = family
    if "MCC" in levels and mcc:
        return mcc
    if ("CC" in levels or "MCC" in levels) and cc:
        return cc
    return none


def ip_template(rng: Random, kind: str):
    """Returns a dict describing one inpatient stay of the given kind."""
    t = dict(sex=rng.choice("FM"), ages=(45, 88), exclude=set(), extra=[], pcs=[],
             los=(2, 5), status=["01", "01", "01", "06", "06", "03", "62"])
    if kind == "knee":
        pdx, pcs = rng.choice([("M17.11", "0SRC0J9"), ("M17.12", "0SRD0J9")])
        t.update(pdx=pdx, pcs=[(pcs, 0)], family=("469", "470", "470"), los=(1, 3),
                 ages=(52, 84))
        if rng.random() < 0.25:
            t["extra"].append(("D62", "N"))
    elif kind == "hip":
        pdx, pcs = rng.choice([("M16.11", "0SR9019"), ("M16.12", "0SRB019")])
        t.update(pdx=pdx, pcs=[(pcs, 0)], family=("469", "470", "470"), los=(1, 3),
                 ages=(52, 84))
    elif kind == "appendix":
        t.update(pdx="K35.80", pcs=[(rng.choice(["0DTJ4ZZ", "0DTJ4ZZ", "0DTJ0ZZ"]), 0)],
                 family=("397", "398", "399"), los=(1, 2), ages=(18, 70),
                 status=["01"])
    elif kind == "gallbladder":
        t.update(pdx="K80.10", pcs=[("0FT44ZZ", 1)], family=("417", "418", "419"),
                 los=(1, 3), ages=(25, 80))
    elif kind == "heart_failure":
        hf = rng.choice(["I50.22", "I50.23", "I50.32"])
        t.update(pdx="I11.0", extra=[(hf, "Y")], family=("291", "292", "293"),
                 exclude={"htn", "dmckd", "cad"}, ages=(58, 92))
    elif kind == "copd":
        t.update(pdx="J44.1", family=("190", "191", "192"), exclude={"asthma", "tob"},
                 ages=(55, 88))
        t["extra"].append(("F17.210", "Y") if rng.random() < 0.5 else ("Z87.891", ""))
        if rng.random() < 0.3:
            t["extra"].append(("J96.01", "Y"))
    elif kind == "pneumonia":
        t.update(pdx="J18.9", family=("193", "194", "195"), ages=(40, 92))
        if rng.random() < 0.3:
            t["extra"].append(("E87.1", rng.choice("YN")))
    elif kind == "sepsis":
        t.update(pdx="A41.9", extra=[("N39.0", "Y")], family=("871", "872", "872"),
                 los=(4, 7), ages=(50, 92), status=["01", "06", "03", "03", "20"])
        if rng.random() < 0.5:
            t["extra"] += [("R65.20", "Y"), ("N17.9", "Y")]
        if rng.random() < 0.3:
            t["pcs"].append(("30233N1", 1))
    elif kind == "pci":
        t.update(pdx="I21.4", family=("321", "322", "322"), exclude={"cad"},
                 pcs=[("027034Z", 0), ("B2111ZZ", 0), ("4A023N7", 0)], ages=(45, 85))
        t["extra"] += [("I25.10", "Y")]
    elif kind == "gi_bleed":
        t.update(pdx="K92.2", family=("377", "378", "379"), pcs=[("0DJ08ZZ", 1)],
                 extra=[("D62", "Y")], exclude={"anem"}, ages=(40, 90))
        if rng.random() < 0.4:
            t["pcs"] = [("0DB68ZX", 1)]
    elif kind == "stroke":
        t.update(pdx="I63.9", family=("064", "065", "066"), ages=(55, 92),
                 status=["01", "06", "62", "62", "03"])
    elif kind == "uti":
        t.update(pdx="N39.0", extra=[("B96.20", "Y")], family=("689", "690", "690"),
                 ages=(60, 92))
    elif kind == "aki":
        t.update(pdx="N17.9", extra=[("E86.0", "Y")], family=("682", "683", "684"),
                 ages=(55, 92), exclude={"dmckd"})
    elif kind in ("delivery", "delivery_gdm", "cesarean"):
        t.update(sex="F", ages=(18, 40), exclude=set(g for g, _, _ in COMORBID),
                 los=(1, 3), status=["01"])
        ga = rng.choice(["Z3A.39", "Z3A.38"])
        if kind == "delivery":
            t.update(pdx="O80", extra=[(ga, ""), ("Z37.0", "")], pcs=[("10E0XZZ", 0)],
                     family=("805", "806", "807"))
        elif kind == "delivery_gdm":
            t.update(pdx="O24.420", extra=[(ga, ""), ("Z37.0", "")],
                     pcs=[("10E0XZZ", 0)], family=("805", "806", "807"))
        else:
            t.update(pdx="O34.211", extra=[(ga, ""), ("Z37.0", "")],
                     pcs=[("10D00Z1", 0)], family=("786", "787", "788"), los=(2, 4))
    else:
        raise ValueError(kind)
    return t


IP_KINDS = [("knee", 12), ("hip", 7), ("appendix", 6), ("gallbladder", 6),
            ("heart_failure", 10), ("copd", 8), ("pneumonia", 9), ("sepsis", 7),
            ("pci", 5), ("gi_bleed", 5), ("stroke", 5), ("uti", 4), ("aki", 3)]


def pick_weighted(rng: Random, items):
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for name, w in items:
        x -= w
        if x <= 0:
            return name
    return items[-1][0]


# --------------------------------------------------------------------------------------
# Outpatient (facility) and professional templates: return dict with dx list, hcpcs
# [(code, mods, units, day)], span days, specialty, sex, ages.

def em_established(rng: Random) -> str:
    return pick_weighted(rng, [("99212", 10), ("99213", 45), ("99214", 38), ("99215", 7)])


def em_new(rng: Random) -> str:
    return pick_weighted(rng, [("99202", 15), ("99203", 45), ("99204", 30), ("99205", 10)])


def side_pair(rng: Random, right: str, left: str):
    return rng.choice([(right, "RT"), (left, "LT")])


def visit_template(rng: Random, kind: str, claim: str):
    """Office / clinic / procedure visits. `claim` is 'outpatient' or 'professional'."""
    t = dict(sex=rng.choice("FM"), ages=(19, 88), span=0, spec="family", dx=[], lines=[],
             ncomorb=rng.randint(0, 3), exclude=set(), claim=claim)
    L = t["lines"]
    if kind == "office":
        em = em_new(rng) if rng.random() < 0.2 else em_established(rng)
        problem = rng.choice([("J06.9", []), ("J02.9", ["87880"]), ("R05.1", ["71046"]),
                              ("M54.50", []), ("R07.9", ["93000"]), ("K21.9", []),
                              ("E11.65", ["83036", "36415"]), ("E78.5", ["80061", "36415"]),
                              ("I10", ["80048", "36415"]), ("F32.A", []),
                              ("M25.561", ["73562"]), ("M25.562", ["73562"]),
                              ("N39.0", ["81003"]), ("J44.1", [])])
        t["dx"] = [problem[0]]
        if problem[0] == "E11.65":
            t["dx"].append("Z79.4")
        t["spec"] = "cardio" if problem[0] == "R07.9" else rng.choice(["family", "internal"])
        L.append((em, (), 1, 0))
        for c in problem[1]:
            mods = ("RT",) if c == "73562" and problem[0] == "M25.561" else (
                ("LT",) if c == "73562" else ())
            L.append((c, mods, 1, 0))
        if claim == "professional" and rng.random() < 0.15 and problem[0] in ("J06.9", "J02.9", "M54.50"):
            L[0] = (em, ("25",), 1, 0)
            L.append(("96372", (), 1, 0))
            L.append(("J1885" if problem[0] == "M54.50" else "J0696", (), 2 if problem[0] == "M54.50" else 4, 0))
    elif kind == "awv":
        t.update(ages=(65, 90), spec=rng.choice(["family", "internal"]))
        t["dx"] = ["Z00.00"]
        L.append(("G0439", (), 1, 0))
        if rng.random() < 0.35:
            t["dx"].append("I10")
            t["exclude"] = {"htn", "dmckd"}
            L.append((em_established(rng), ("25",), 1, 0))
    elif kind == "injection":  # knee/shoulder injection with or without E/M
        dx, mod = rng.choice([("M17.11", "RT"), ("M17.12", "LT"), ("M19.011", "RT"),
                              ("M19.012", "LT")])
        t.update(dx=[dx], spec="ortho", ages=(45, 85))
        if rng.random() < 0.6:
            L.append((em_established(rng), ("25",), 1, 0))
        L.append(("20610", (mod,), 1, 0))
        L.append(("J3301", (), 4, 0))
    elif kind == "arthroscopy":
        dx, mod = rng.choice([("M23.221", "RT"), ("M23.222", "LT")])
        t.update(dx=[dx], spec="ortho", ages=(25, 70), ncomorb=rng.randint(0, 1))
        L.append(("29881", (mod,), 1, 0))
    elif kind == "tka_surgeon":
        dx, mod = rng.choice([("M17.11", "RT"), ("M17.12", "LT")])
        t.update(dx=[dx], spec="ortho", ages=(52, 84))
        L.append(("27447", (mod,), 1, 0))
    elif kind == "colonoscopy":
        t.update(ages=(45, 80), spec="gi", ncomorb=rng.randint(0, 2))
        if rng.random() < 0.5:
            t["dx"] = ["Z12.11"]
            L.append(("45378", (), 1, 0))
        else:
            t["dx"] = ["Z12.11", "K63.5"]
            L.append((rng.choice(["45380", "45385"]), ("PT",) if rng.random() < 0.5 else (), 1, 0))
    elif kind == "ed":
        problem = rng.choice([("R07.9", ["93005", "71046", "80053", "85025", "36415"]),
                              ("R10.9", ["74177", "80053", "85025", "36415"]),
                              ("J18.9", ["71046", "85025", "36415"]),
                              ("N39.0", ["81003"])])
        t["dx"] = [problem[0]]
        L.append((rng.choice(["99283", "99284", "99284", "99285"]), (), 1, 0))
        for c in problem[1]:
            L.append((c, (), 1, 0))
        if problem[0] in ("J18.9", "N39.0") and rng.random() < 0.6:
            L.append(("96372", (), 1, 0))
            L.append(("J0696", (), 4, 0))
    elif kind == "lab":
        t["dx"] = rng.choice([["E11.65", "Z79.4"], ["E78.5"], ["E03.9"], ["E11.9", "Z79.84"]])
        t["ncomorb"] = 0
        codes = {"E11.65": ["83036", "80053"], "E78.5": ["80061"], "E03.9": ["84443"],
                 "E11.9": ["83036", "80048"]}[t["dx"][0]]
        for c in codes + ["36415"]:
            L.append((c, (), 1, 0))
    elif kind == "imaging":
        problem = rng.choice([("R05.1", "71046", ()), ("M25.561", "73562", ("RT",)),
                              ("M25.562", "73562", ("LT",)), ("R10.9", "74177", ())])
        t["dx"] = [problem[0]]
        L.append((problem[1], problem[2], 1, 0))
    elif kind == "pt_series":
        t.update(dx=[rng.choice(["M17.11", "M17.12", "M54.50"]), "M62.81"], span=21,
                 ages=(30, 85), ncomorb=rng.randint(0, 1))
        L.append(("97161", ("GP",), 1, 0))
        for day in sorted(rng.sample(range(2, 21), 3)):
            L.append(("97110", ("GP",), rng.randint(2, 3), day))
            L.append(("97140", ("GP",), rng.randint(1, 2), day))
    elif kind == "cataract":
        dx, mod = rng.choice([("H25.11", "RT"), ("H25.12", "LT")])
        t.update(dx=[dx], ages=(60, 88), ncomorb=rng.randint(0, 2))
        L.append(("66984", (mod,), 1, 0))
    elif kind == "prenatal":
        t.update(sex="F", ages=(18, 40), spec="obgyn", ncomorb=0)
        t["dx"] = rng.choice([["O24.410", "Z3A.28"], ["O24.410", "Z3A.32"],
                              ["O99.212", "E66.9", "Z3A.24"], ["O09.523", "Z3A.32"]])
        if t["dx"][0] == "O09.523":
            t["ages"] = (35, 40)
        L.append((em_established(rng), (), 1, 0))
    elif kind == "ob_ultrasound":
        t.update(sex="F", ages=(18, 40), spec="obgyn", ncomorb=0)
        t["dx"] = rng.choice([["O24.410", "Z3A.28"], ["O26.892", "Z3A.24"]])
        L.append(("76805", (), 1, 0))
    else:
        raise ValueError(kind)
    return t


OP_KINDS = [("injection", 10), ("arthroscopy", 8), ("colonoscopy", 14), ("ed", 18),
            ("lab", 12), ("imaging", 12), ("pt_series", 8), ("cataract", 6),
            ("office", 8), ("ob_ultrasound", 2)]
PR_KINDS = [("office", 54), ("awv", 10), ("injection", 14),
            ("tka_surgeon", 5), ("arthroscopy", 4), ("colonoscopy", 5), ("prenatal", 5)]


# --------------------------------------------------------------------------------------
# Trigger situations (sample rule set): explicit encounter specs.
#   each spec: (claim_type, kind, trigger tag, tweak)

def tweak_lines(t, tag, rng):
    L = t["lines"]
    if tag == "PTP_FIRE":          # 29881 + 29877 same DOS, no bypass modifier
        L[:] = [(L[0][0], L[0][1], 1, 0), ("29877", L[0][1], 1, 0)]
    elif tag == "PTP_BYPASS":      # 59 or XS on one of the two lines
        side = L[0][1]
        if rng.random() < 0.5:
            L[:] = [("29881", side, 1, 0), ("29877", side + ("59",), 1, 0)]
        else:
            L[:] = [("29881", side + ("XS",), 1, 0), ("29877", side, 1, 0)]
    elif tag == "EM_FIRE":         # E/M with 20610, no modifier 25
        L[:] = [(em_established(rng), (), 1, 0)] + [x for x in L if x[0] not in EM_CODES]
    elif tag == "EM_BYPASS":       # E/M with 20610 and modifier 25
        L[:] = [(em_established(rng), ("25",), 1, 0)] + [x for x in L if x[0] not in EM_CODES]
    elif tag == "MUE_20610":       # units on one DOS sum above 2
        mod = L[-2][1] if L[-2][0] == "20610" else ("RT",)
        keep = [x for x in L if x[0] != "20610" and x[0] != "J3301"]
        if rng.random() < 0.5:
            L[:] = keep + [("20610", mod, 3, 0), ("J3301", (), 8, 0)]
        else:
            L[:] = keep + [("20610", ("RT",), 1, 0), ("20610", ("LT",), 1, 0),
                           ("20610", ("RT", "XS"), 1, 0), ("J3301", (), 8, 0)]
    elif tag == "MUE_96372":       # 96372 units 5 or 6 on one line
        units = 6 if t["claim"] == "outpatient" else rng.choice([5, 6])
        L[:] = [(L[0][0], ("25",), 1, 0), ("96372", (), units, 0),
                ("J1885", (), 2, 0), ("J1100", (), 10, 0), ("J3420", (), 1, 0)]
    elif tag == "MOD_LAT":         # 27447 / 20610 without RT, LT or 50
        L[:] = [(c, tuple(m for m in mods if m not in ("RT", "LT")), u, d)
                for c, mods, u, d in L]
    elif tag == "EM_59":           # established-patient E/M carrying modifier 59
        em = L[0][0] if L[0][0] in ESTABLISHED_EM else em_established(rng)
        L[0] = (em, ("59",), 1, 0)
    elif tag == "DUP":             # exact duplicate line
        dup = next(x for x in L if x[0] in ("99213", "99214", "85025", "71046", "36415",
                                            "80061", "83036", "81003", "87880", "93000"))
        L.append(dup)
    elif tag == "REPEAT_OK":       # legitimate repeat: 76 / 91 / RT-LT
        first = L[0][0]
        if any(x[0] == "20610" for x in L):
            L[:] = [x for x in L if x[0] not in ("20610", "J3301")] + [
                ("20610", ("RT",), 1, 0), ("20610", ("LT",), 1, 0), ("J3301", (), 8, 0)]
        elif any(x[0] == "93000" for x in L):
            L.append(("93000", ("76",), 1, 0))
        elif any(x[0] == "85025" for x in L):
            L.append(("85025", ("91",), 1, 0))
        elif any(x[0] == "71046" for x in L):
            L.append(("71046", ("76",), 1, 0))
        else:
            raise ValueError("no repeatable line in " + first)
    return t


TRIGGER_SPECS = [
    # pregnancy diagnosis on a male patient (FAC-SEX-001)
    ("inpatient", "delivery", "SEX_PREG", dict(sex="M")),
    ("professional", "prenatal", "SEX_PREG", dict(sex="M")),
    ("professional", "prenatal", "SEX_PREG", dict(sex="M")),
    ("outpatient", "ob_ultrasound", "SEX_PREG", dict(sex="M")),
    # pregnancy diagnosis on a female under 12 or over 55 (FAC-AGE-001)
    ("professional", "prenatal", "AGE_PREG", dict(ages=(10, 10))),
    ("professional", "prenatal", "AGE_PREG", dict(ages=(11, 11))),
    ("professional", "prenatal", "AGE_PREG", dict(ages=(58, 58))),
    ("inpatient", "delivery", "AGE_PREG", dict(ages=(57, 57))),
    # normal pregnancies (female 18-40) that must not fire
    ("inpatient", "delivery", "PREG_OK", {}), ("inpatient", "delivery", "PREG_OK", {}),
    ("inpatient", "delivery", "PREG_OK", {}), ("inpatient", "delivery", "PREG_OK", {}),
    ("inpatient", "delivery_gdm", "PREG_OK", {}), ("inpatient", "delivery_gdm", "PREG_OK", {}),
    ("inpatient", "cesarean", "PREG_OK", {}), ("inpatient", "cesarean", "PREG_OK", {}),
    ("outpatient", "ob_ultrasound", "PREG_OK", {}),
    # patient sex unknown (FAC-PAT-001)
    ("professional", "office", "SEX_U", dict(sex="U")),
    ("professional", "office", "SEX_U", dict(sex="U")),
    # 29881 + 29877 same date of service (FAC-PTP-001)
    ("outpatient", "arthroscopy", "PTP_FIRE", {}), ("outpatient", "arthroscopy", "PTP_FIRE", {}),
    ("outpatient", "arthroscopy", "PTP_FIRE", {}),
    ("professional", "arthroscopy", "PTP_FIRE", {}),
    ("outpatient", "arthroscopy", "PTP_BYPASS", {}),
    ("outpatient", "arthroscopy", "PTP_BYPASS", {}),
    ("professional", "arthroscopy", "PTP_BYPASS", {}),
    ("professional", "arthroscopy", "PTP_BYPASS", {}),
    # E/M + 20610 same day (FAC-EM-001)
    ("professional", "injection", "EM_FIRE", {}), ("professional", "injection", "EM_FIRE", {}),
    ("professional", "injection", "EM_FIRE", {}), ("outpatient", "injection", "EM_FIRE", {}),
    ("professional", "injection", "EM_BYPASS", {}),
    ("professional", "injection", "EM_BYPASS", {}),
    ("professional", "injection", "EM_BYPASS", {}),
    ("outpatient", "injection", "EM_BYPASS", {}),
    # MUE (FAC-MUE-001 20610 per DOS, FAC-MUE-002 96372 per line)
    ("professional", "injection", "MUE_20610", {}),
    ("professional", "injection", "MUE_20610", {}),
    ("outpatient", "injection", "MUE_20610", {}),
    ("professional", "office", "MUE_96372", dict(problem="M54.50")),
    ("professional", "office", "MUE_96372", dict(problem="M54.50")),
    ("professional", "office", "MUE_96372", dict(problem="M54.50")),
    ("outpatient", "office", "MUE_96372", dict(problem="M54.50")),
    # laterality missing on 27447 / 20610 (FAC-MOD-001)
    ("professional", "tka_surgeon", "MOD_LAT", {}),
    ("professional", "tka_surgeon", "MOD_LAT", {}),
    ("professional", "injection", "MOD_LAT", {}),
    ("outpatient", "injection", "MOD_LAT", {}),
    # E/M with modifier 59 (FAC-MOD-002)
    ("professional", "office", "EM_59", {}), ("professional", "office", "EM_59", {}),
    ("professional", "office", "EM_59", {}),
    # duplicate lines (FAC-DUP-001) and legitimate repeats
    ("professional", "office", "DUP", dict(problem="E78.5")),
    ("professional", "office", "DUP", dict(problem="R07.9")),
    ("outpatient", "lab", "DUP", {}),
    ("outpatient", "imaging", "DUP", dict(problem="R05.1")),
    ("professional", "office", "REPEAT_OK", dict(problem="R07.9")),
    ("outpatient", "ed", "REPEAT_OK", dict(problem="R07.9")),
    ("professional", "injection", "REPEAT_OK", {}),
    ("outpatient", "injection", "REPEAT_OK", {}),
]


def forced_visit(rng: Random, kind: str, claim: str, opts: dict):
    """A visit template whose first problem is forced (for trigger specs)."""
    want = opts.get("problem")
    for _ in range(500):
        t = visit_template(rng, kind, claim)
        if want is None or t["dx"][0] == want:
            return t
    raise RuntimeError(f"cannot build {kind} with {want}")


# --------------------------------------------------------------------------------------
# Building encounters


def build_inpatient(world: World, kind: str, opts: dict) -> Encounter:
    rng = world.rng
    t = ip_template(rng, kind)
    sex = opts.get("sex", t["sex"])
    ages = opts.get("ages", t["ages"])
    start = world.date_2024(340)
    pat_sex = "F" if sex == "U" else sex
    patient = world.patient(pat_sex, ages[0], ages[1], start)
    if sex != pat_sex:
        patient = Patient(patient.pid, sex, patient.birth)
    los = rng.randint(*t["los"])
    end = start + dt.timedelta(days=los)
    dx = [(t["pdx"], "Y")] + list(t["extra"])
    cats = {category(c) for c, _ in dx}
    excl = set(t["exclude"])
    if any(c in ("D62",) for c, _ in dx):
        excl.add("anem")
    if any(c in ("F17.210", "Z87.891") for c, _ in dx):
        excl.add("tob")
    n = 0 if kind.startswith(("delivery", "cesarean")) else rng.randint(2, 6)
    for c in comorbidities(rng, n, patient.sex if patient.sex in "FM" else "F", excl, cats):
        dx.append((c, "Y"))
    lines = []
    for i, (c, poa) in enumerate(dx, 1):
        if c in POA_EXEMPT:
            poa = ""
        lines.append(Line("DX", c, seq=i, poa=poa))
    for i, (c, day) in enumerate(t["pcs"], 1):
        lines.append(Line("PCS", c, seq=i, date=start + dt.timedelta(days=min(day, los))))
    drg = drg_for(t["family"], [c for c, _ in dx[1:]])
    age = age_at(patient.birth, start)
    return Encounter("", patient, start, end, "inpatient", world.facility(), "",
                     payer_for(rng, age), drg=drg, dstatus=rng.choice(t["status"]),
                     lines=lines)


def build_visit(world: World, claim: str, kind: str, opts: dict, tag: str | None) -> Encounter:
    rng = world.rng
    t = forced_visit(rng, kind, claim, opts)
    if tag:
        tweak_lines(t, tag, rng)
    sex = opts.get("sex", t["sex"])
    ages = opts.get("ages", t["ages"])
    start = world.date_2024(340)
    pat_sex = "F" if sex == "U" else sex
    if tag == "SEX_PREG":
        pat_sex = "M"
    patient = world.patient(pat_sex, ages[0], ages[1], start)
    if sex == "U":
        patient = Patient(patient.pid, "U", patient.birth)
    end = start + dt.timedelta(days=t["span"])
    dx = list(t["dx"])
    cats = {category(c) for c in dx}
    excl = set(t["exclude"])
    if "I10" in dx:
        excl |= {"htn", "dmckd"}
    if any(c.startswith("E11") for c in dx):
        excl |= {"dm", "dmckd"}
    if any(c.startswith("E78") for c in dx):
        excl.add("lipid")
    if any(c.startswith(("F32", "F41")) for c in dx):
        excl.add("psy")
    if any(c.startswith("E66") for c in dx):
        excl.add("obes")
    if any(c.startswith("J44") for c in dx):
        excl |= {"asthma"}
    if any(c.startswith("E03") for c in dx):
        excl.add("thy")
    if any(c.startswith("K21") for c in dx):
        excl.add("gerd")
    dx += comorbidities(rng, t["ncomorb"], patient.sex if patient.sex in "FM" else "F",
                        excl, cats)
    lines = [Line("DX", c, seq=i) for i, c in enumerate(dx, 1)]
    fac = 0 if claim == "outpatient" else 1
    age = age_at(patient.birth, start)
    payer = payer_for(rng, age)
    for code, mods, units, day in t["lines"]:
        mods = tuple(mods)
        if code.startswith("J") and payer == "MEDICARE" and code in ("J1885", "J0696"):
            mods = mods + ("JZ",)
        price = CHARGES[code][fac]
        ln = Line("HCPCS", code, mods=mods, units=units, date=start + dt.timedelta(days=day),
                  charge=f"{price * units:.2f}")
        lines.append(ln)
    provider = world.facility() if claim == "outpatient" else world.practitioner(t["spec"])
    return Encounter("", patient, start, end, claim, provider, "", payer, lines=lines,
                     tags=[tag] if tag else [])


def build_all(world: World):
    rng = world.rng
    encs = {"inpatient": [], "outpatient": [], "professional": []}
    for claim, kind, tag, opts in TRIGGER_SPECS:
        if claim == "inpatient":
            e = build_inpatient(world, kind, opts)
            e.tags.append(tag)
        else:
            e = build_visit(world, claim, kind, opts, tag)
        encs[claim].append(e)
    targets = {"inpatient": N_INPATIENT, "outpatient": N_OUTPATIENT,
               "professional": N_PROFESSIONAL}
    while len(encs["inpatient"]) < targets["inpatient"]:
        encs["inpatient"].append(build_inpatient(world, pick_weighted(rng, IP_KINDS), {}))
    for claim, kinds in (("outpatient", OP_KINDS), ("professional", PR_KINDS)):
        while len(encs[claim]) < targets[claim]:
            encs[claim].append(build_visit(world, claim, pick_weighted(rng, kinds), {}, None))
    # Natural E/M + 20610 encounters carry 25 already ("EM_BYPASS" in spirit); tag them.
    out = []
    for claim, prefix in (("inpatient", "IP"), ("outpatient", "OP"), ("professional", "PR")):
        lst = encs[claim]
        rng.shuffle(lst)
        lst.sort(key=lambda e: e.start)
        coders = [CODERS[i % len(CODERS)] for i in range(len(lst))]
        rng.shuffle(coders)
        for i, e in enumerate(lst, 1):
            e.eid = f"{prefix}-{i:04d}"
            e.coder = coders[i - 1]
            e.repeat_header = rng.random() < 0.1
            hc = e.lines_of("HCPCS")
            for ln in hc:
                if ln.date == e.start and rng.random() < 0.2:
                    ln.date_blank = True
                if ln.units == 1 and rng.random() < 0.2:
                    ln.units_blank = True
            preg = any(ln.code.startswith("O") for ln in e.lines_of("DX"))
            if preg and not {"SEX_PREG", "AGE_PREG", "PREG_OK"} & set(e.tags):
                e.tags.append("PREG_OK")
            if any(ln.code == "20610" for ln in hc) and any(
                    ln.code in EM_CODES and "25" in ln.mods for ln in hc) and \
                    "EM_BYPASS" not in e.tags:
                e.tags.append("EM_BYPASS")
            out.append(e)
    return out


# --------------------------------------------------------------------------------------
# Self-checks on the coder file: no accidental triggers outside the tagged encounters.


def check_encounters(encs):
    problems = []
    for e in encs:
        hc = e.lines_of("HCPCS")
        dx = e.lines_of("DX")
        age = age_at(e.patient.birth, e.start)
        preg = any(ln.code[0] == "O" for ln in dx)
        tags = set(e.tags)
        if preg and e.patient.sex == "M" and "SEX_PREG" not in tags:
            problems.append((e.eid, "male pregnancy"))
        if preg and e.patient.sex == "F" and (age < 12 or age > 55) and "AGE_PREG" not in tags:
            problems.append((e.eid, "pregnancy age"))
        if preg and not tags & {"SEX_PREG", "AGE_PREG"} and not 18 <= age <= 40:
            problems.append((e.eid, "pregnancy outside 18-40"))
        if e.patient.sex == "U" and "SEX_U" not in tags:
            problems.append((e.eid, "sex U"))
        cats = [category(ln.code) for ln in dx]
        if len(cats) != len(set(cats)):
            problems.append((e.eid, "repeated DX category"))
        codes = [ln.code for ln in hc]
        byday = {}
        for ln in hc:
            byday.setdefault(ln.date, []).append(ln)
        for day, lns in byday.items():
            c = {ln.code for ln in lns}
            if {"29881", "29877"} <= c and not tags & {"PTP_FIRE", "PTP_BYPASS"}:
                problems.append((e.eid, "ptp"))
            if "20610" in c and c & EM_CODES:
                em25 = all("25" in ln.mods for ln in lns if ln.code in EM_CODES)
                if not em25 and "EM_FIRE" not in tags:
                    problems.append((e.eid, "em without 25"))
            u = sum(ln.units for ln in lns if ln.code == "20610")
            if u > 2 and "MUE_20610" not in tags:
                problems.append((e.eid, "mue 20610"))
            sig = [(ln.code, tuple(sorted(ln.mods)), ln.units) for ln in lns]
            if len(sig) != len(set(sig)) and "DUP" not in tags:
                problems.append((e.eid, "duplicate"))
        for ln in hc:
            if ln.code == "96372" and ln.units > 4 and "MUE_96372" not in tags:
                problems.append((e.eid, "mue 96372"))
            if ln.code in ("27447", "20610") and not {"RT", "LT", "50"} & set(ln.mods) \
                    and "MOD_LAT" not in tags:
                problems.append((e.eid, "laterality"))
            if ln.code in EM_CODES and "59" in ln.mods and "EM_59" not in tags:
                problems.append((e.eid, "em 59"))
            if ln.code in EM_CODES and "59" in ln.mods and ln.code not in ESTABLISHED_EM:
                problems.append((e.eid, "EM_59 on a new-patient E/M"))
        if "DUP" in tags and len(codes) == len(set(codes)):
            problems.append((e.eid, "DUP tag without duplicate"))
    if problems:
        raise SystemExit(f"sample self-check failed: {problems[:10]}")


# --------------------------------------------------------------------------------------
# Auditor re-coding with injected errors.


class AuditState:
    """The auditor's coding of one encounter, derived from the coder's, plus bookkeeping
    that keeps each injected error producing exactly one known diff row."""

    def __init__(self, enc: Encounter, auditor: str):
        self.enc = enc
        self.auditor = auditor
        self.dx = [(ln.code, ln.poa) for ln in enc.lines_of("DX")]
        self.pcs = [(ln.code, ln.date) for ln in enc.lines_of("PCS")]
        # HCPCS lines stay aligned with the coder's lines; None = removed by auditor.
        self.hc = [dict(code=ln.code, mods=ln.mods, units=ln.units, date=ln.date,
                        date_blank=ln.date_blank) for ln in enc.lines_of("HCPCS")]
        self.hc_extra = []
        self.touched = {"DX": set(), "PCS": set(), "HCPCS": set()}  # coder codes / line idx
        self.leftover = {"DX": set(), "PCS": set(), "HCPCS": set()}  # unmatched categories
        self.principal_touched = False
        self.log = []  # (outcome, code_type, detail)
        self.mod_lines = set()  # coder HCPCS line indexes with modifier/units errors

    @property
    def coder_dx(self):
        return [ln.code for ln in self.enc.lines_of("DX")]

    def has_o_codes(self):
        return any(c[0] == "O" for c in self.coder_dx)


def _count(lst, code):
    return sum(1 for c in lst if c == code)


def inject_dx_revised(s: AuditState, rng: Random) -> bool:
    coder = s.coder_dx
    aud = [c for c, _ in s.dx]
    cands = []
    for i, c in enumerate(coder):
        new = DX_REVISE.get(c)
        if not new or c in s.touched["DX"] or c not in aud:
            continue
        if i == 0 and s.principal_touched:
            continue
        cat = category(c)
        if sum(category(x) == cat for x in coder) != 1 or sum(category(x) == cat for x in aud) != 1:
            continue
        if cat in s.leftover["DX"] or new in coder or new in aud:
            continue
        cands.append((i, c, new))
    if not cands:
        return False
    i, c, new = rng.choice(cands)
    j = aud.index(c)
    s.dx[j] = (new, s.dx[j][1] if new not in POA_EXEMPT else "")
    if j == 0 or i == 0:
        s.principal_touched = True
    s.touched["DX"].add(c)
    s.leftover["DX"].add(category(c))
    s.log.append(("revised", "DX", f"{c} -> {new}"))
    return True


def inject_dx_added(s: AuditState, rng: Random) -> bool:
    if s.has_o_codes():
        return False
    coder = s.coder_dx
    aud = [c for c, _ in s.dx]
    cands = [c for c in coder[1:] if c in DX_REMOVABLE and c not in s.touched["DX"]
             and c in aud and aud.index(c) != 0
             and sum(category(x) == category(c) for x in coder + aud) == 2
             and category(c) not in s.leftover["DX"]]
    if not cands:
        return False
    c = rng.choice(cands)
    s.dx = [x for x in s.dx if x[0] != c]
    s.touched["DX"].add(c)
    s.leftover["DX"].add(category(c))
    s.log.append(("added", "DX", c))
    return True


def inject_dx_omitted(s: AuditState, rng: Random) -> bool:
    if s.has_o_codes():
        return False
    coder = s.coder_dx
    aud = [c for c, _ in s.dx]
    present = {category(c) for c in coder + aud} | s.leftover["DX"]
    cands = []
    for c in DX_OMIT_POOL:
        if category(c) in present:
            continue
        if any(c == a and any(category(x) == b for x in coder + aud) for a, b in DX_EXCLUDES):
            continue
        if c == "Z87.891" and any(x.startswith("F17") for x in coder + aud):
            continue
        cands.append(c)
    if not cands:
        return False
    c = rng.choice(cands)
    poa = "" if (s.enc.claim_type != "inpatient" or c in POA_EXEMPT) else "Y"
    s.dx.append((c, poa))
    s.leftover["DX"].add(category(c))
    s.log.append(("omitted", "DX", c))
    return True


def inject_dx_resequenced(s: AuditState, rng: Random) -> bool:
    if s.principal_touched or s.has_o_codes():
        return False
    coder = s.coder_dx
    aud = [c for c, _ in s.dx]
    if len(coder) < 2 or coder[0] in s.touched["DX"] or aud[0] != coder[0]:
        return False
    inpatient = s.enc.claim_type == "inpatient"
    if coder[0] not in (RESEQ_IP_FROM if inpatient else RESEQ_VISIT_FROM):
        return False
    to = RESEQ_IP_TO if inpatient else RESEQ_VISIT_TO
    cands = [c for c in coder[1:] if c not in s.touched["DX"] and c in aud
             and c in to and _count(coder, c) == 1]
    if not cands:
        return False
    y = rng.choice(cands)
    x = coder[0]
    j = aud.index(y)
    s.dx[0], s.dx[j] = s.dx[j], s.dx[0]
    s.touched["DX"] |= {x, y}
    s.principal_touched = True
    s.log.append(("resequenced", "DX", f"principal {x} -> {y}"))
    return True


def inject_pcs_revised(s: AuditState, rng: Random) -> bool:
    coder = [ln.code for ln in s.enc.lines_of("PCS")]
    aud = [c for c, _ in s.pcs]
    cands = [c for c in coder if c in PCS_REVISE and c not in s.touched["PCS"] and c in aud
             and _count(coder, c) == 1 and PCS_REVISE[c] not in coder + aud
             and category(c) not in s.leftover["PCS"]]
    if not cands:
        return False
    c = rng.choice(cands)
    j = aud.index(c)
    s.pcs[j] = (PCS_REVISE[c], s.pcs[j][1])
    s.touched["PCS"].add(c)
    s.leftover["PCS"].add(category(c))
    s.log.append(("revised", "PCS", f"{c} -> {PCS_REVISE[c]}"))
    return True


def inject_pcs_added(s: AuditState, rng: Random) -> bool:
    coder = [ln.code for ln in s.enc.lines_of("PCS")]
    aud = [c for c, _ in s.pcs]
    cands = [c for c in coder if c in PCS_REMOVABLE and c not in s.touched["PCS"] and c in aud
             and _count(coder, c) == 1 and category(c) not in s.leftover["PCS"]]
    if not cands:
        return False
    c = rng.choice(cands)
    s.pcs = [x for x in s.pcs if x[0] != c]
    s.touched["PCS"].add(c)
    s.leftover["PCS"].add(category(c))
    s.log.append(("added", "PCS", c))
    return True


def inject_pcs_omitted(s: AuditState, rng: Random) -> bool:
    if s.enc.claim_type != "inpatient":
        return False
    coder = [ln.code for ln in s.enc.lines_of("PCS")]
    aud = [c for c, _ in s.pcs]
    present = {category(c) for c in coder + aud} | s.leftover["PCS"]
    cands = [c for c in PCS_OMIT_POOL if category(c) not in present]
    if not cands:
        return False
    c = rng.choice(cands)
    day = s.enc.start + dt.timedelta(days=min(1, (s.enc.end - s.enc.start).days))
    s.pcs.append((c, day))
    s.leftover["PCS"].add(category(c))
    s.log.append(("omitted", "PCS", c))
    return True


def _hc_unique(s: AuditState, idx: int) -> bool:
    code = s.hc[idx]["code"]
    coder = [ln.code for ln in s.enc.lines_of("HCPCS")]
    aud = [h["code"] for h in s.hc if h] + [h["code"] for h in s.hc_extra]
    return _count(coder, code) == 1 and _count(aud, code) == 1


def inject_hc_revised(s: AuditState, rng: Random) -> bool:
    coder = [ln.code for ln in s.enc.lines_of("HCPCS")]
    cands = []
    for i, h in enumerate(s.hc):
        if h is None or i in s.touched["HCPCS"] or h["code"] not in HCPCS_REVISE:
            continue
        new = HCPCS_REVISE[h["code"]]
        aud = [x["code"] for x in s.hc if x] + [x["code"] for x in s.hc_extra]
        if not _hc_unique(s, i) or new in coder or new in aud:
            continue
        if category(h["code"]) in s.leftover["HCPCS"]:
            continue
        cands.append(i)
    if not cands:
        return False
    i = rng.choice(cands)
    old = s.hc[i]["code"]
    s.hc[i] = dict(s.hc[i], code=HCPCS_REVISE[old])
    s.touched["HCPCS"].add(i)
    s.leftover["HCPCS"].add(category(old))
    s.log.append(("revised", "HCPCS", f"{old} -> {HCPCS_REVISE[old]}"))
    return True


def inject_hc_added(s: AuditState, rng: Random) -> bool:
    cands = [i for i, h in enumerate(s.hc)
             if h and i not in s.touched["HCPCS"] and h["code"] in HCPCS_REMOVABLE
             and _hc_unique(s, i) and category(h["code"]) not in s.leftover["HCPCS"]]
    if len([h for h in s.hc if h]) < 2:
        return False
    if not cands:
        return False
    i = rng.choice(cands)
    code = s.hc[i]["code"]
    s.hc[i] = None
    s.touched["HCPCS"].add(i)
    s.leftover["HCPCS"].add(category(code))
    s.log.append(("added", "HCPCS", code))
    return True


def inject_hc_omitted(s: AuditState, rng: Random) -> bool:
    if s.enc.claim_type == "inpatient":
        return False
    coder = [ln.code for ln in s.enc.lines_of("HCPCS")]
    aud = [h["code"] for h in s.hc if h] + [h["code"] for h in s.hc_extra]
    present = {category(c) for c in coder + aud} | s.leftover["HCPCS"]
    cands = [c for c in HCPCS_OMIT_POOL if category(c) not in present]
    if not cands:
        return False
    c = rng.choice(cands)
    s.hc_extra.append(dict(code=c, mods=(), units=1, date=s.enc.start, date_blank=False))
    s.leftover["HCPCS"].add(category(c))
    s.log.append(("omitted", "HCPCS", c))
    return True


def modifier_change(code: str, mods: tuple, enc: Encounter):
    ms = list(mods)
    codes = {ln.code for ln in enc.lines_of("HCPCS")}
    if code in EM_CODES:
        if "59" in ms:
            return tuple("25" if m == "59" else m for m in ms)
        needs_25 = bool(codes & {"20610", "96372", "G0439"})
        if "25" in ms and not needs_25:
            return tuple(m for m in ms if m != "25")
        if "25" not in ms and needs_25:
            return tuple(ms + ["25"])
        return None
    if code in LATERAL_CODES:
        if "RT" in ms:
            return tuple("LT" if m == "RT" else m for m in ms)
        if "LT" in ms:
            return tuple("RT" if m == "LT" else m for m in ms)
        return tuple(ms + ["RT"])
    if code.startswith("J"):
        if "JZ" in ms:
            return tuple(m for m in ms if m != "JZ")
        return tuple(ms + ["JZ"])
    if code in ("45378", "45380", "45385"):
        return tuple(m for m in ms if m != "PT") if "PT" in ms else tuple(ms + ["PT"])
    return None


def inject_hc_modifier(s: AuditState, rng: Random, with_units=False) -> bool:
    cands = []
    for i, h in enumerate(s.hc):
        if h is None or i in s.touched["HCPCS"] or not _hc_unique(s, i):
            continue
        new = modifier_change(h["code"], h["mods"], s.enc)
        if new is None or set(new) == set(h["mods"]):
            continue
        if with_units and h["code"] not in HCPCS_UNIT_CODES:
            continue
        cands.append((i, new))
    if not cands:
        return False
    if not with_units and any(not s.hc[i]["code"].startswith("J") for i, _ in cands):
        cands = [(i, m) for i, m in cands if not s.hc[i]["code"].startswith("J")]
    i, new = rng.choice(cands)
    old = s.hc[i]
    s.hc[i] = dict(old, mods=new)
    s.touched["HCPCS"].add(i)
    s.mod_lines.add(i)
    s.log.append(("modifier", "HCPCS",
                  f"{old['code']} {';'.join(old['mods']) or '-'} -> {';'.join(new) or '-'}"))
    if with_units:
        nu = old["units"] + 1 if old["units"] == 1 or rng.random() < 0.5 else old["units"] - 1
        s.hc[i]["units"] = nu
        s.log.append(("units", "HCPCS", f"{old['code']} units {old['units']} -> {nu}"))
    return True


def inject_hc_units(s: AuditState, rng: Random) -> bool:
    cands = [i for i, h in enumerate(s.hc)
             if h and i not in s.touched["HCPCS"] and h["code"] in HCPCS_UNIT_CODES
             and _hc_unique(s, i)]
    if not cands:
        return False
    i = rng.choice(cands)
    old = s.hc[i]
    nu = old["units"] + 1 if old["units"] == 1 or rng.random() < 0.5 else old["units"] - 1
    s.hc[i] = dict(old, units=nu)
    s.touched["HCPCS"].add(i)
    s.mod_lines.add(i)
    s.log.append(("units", "HCPCS", f"{old['code']} units {old['units']} -> {nu}"))
    return True


INJECTORS = {
    "dx_revised": inject_dx_revised, "dx_added": inject_dx_added,
    "dx_omitted": inject_dx_omitted, "dx_resequenced": inject_dx_resequenced,
    "pcs_revised": inject_pcs_revised, "pcs_added": inject_pcs_added,
    "pcs_omitted": inject_pcs_omitted, "hc_revised": inject_hc_revised,
    "hc_added": inject_hc_added, "hc_omitted": inject_hc_omitted,
    "hc_modifier": inject_hc_modifier, "hc_units": inject_hc_units,
    "hc_modifier_units": lambda s, r: inject_hc_modifier(s, r, with_units=True),
}
ERROR_WEIGHTS = [("dx_revised", 14), ("dx_added", 12), ("dx_omitted", 12),
                 ("dx_resequenced", 10), ("pcs_revised", 4), ("pcs_added", 3),
                 ("pcs_omitted", 3), ("hc_revised", 8), ("hc_added", 6),
                 ("hc_omitted", 6), ("hc_modifier", 8), ("hc_units", 6)]
NON_OMIT = [(k, w) for k, w in ERROR_WEIGHTS if not k.endswith("omitted")]
OMIT = [(k, w) for k, w in ERROR_WEIGHTS if k.endswith("omitted")]


def score_state(s: AuditState):
    """Ground truth for one audited encounter, counted from the injection log."""
    n = len(s.enc.lines)
    counts = {k: 0 for k in ("added", "omitted", "revised", "resequenced", "modifier", "units",
                             "poa")}
    for outcome, _, _ in s.log:
        counts[outcome] += 1
    errors = sum(counts.values())
    positions = n + counts["omitted"]
    # A POA error sits on a matched code: that position is no longer a match.
    matches = (n - counts["added"] - counts["revised"] - counts["resequenced"]
               - len(s.mod_lines) - counts["poa"])
    return dict(codes_reviewed=positions, matches=matches, errors=errors, **counts)


def select_audits(rng: Random, encs, coder):
    mine = [e for e in encs if e.coder == coder]
    pick = []
    for claim in ("inpatient", "outpatient", "professional"):
        pool = [e for e in mine if e.claim_type == claim]
        pick += rng.sample(pool, 5)
    return sorted(pick, key=lambda e: e.eid)


def plan_errors(rng: Random, coder, n_codes):
    """Number of error rows to inject and how many of them are omissions."""
    t = TARGET_ACCURACY[coder]
    if coder == EXACT_BENCHMARK_CODER:
        # rows = codes + omissions must be exactly 20 x errors; keep omissions few so
        # the exact-benchmark coder still shows a mix of error kinds.
        for e in range(1, 50):
            if 0 <= 20 * e - n_codes <= max(1, e // 2):
                return e, 20 * e - n_codes
        return None
    e = max(1, round((1 - t) * n_codes))
    return e, None


# Error kinds every coder gets first (so each outcome occurs for several coders); the
# rest of the plan is drawn at random. "hc_modifier_units" is one position, two rows.
MANDATORY = {
    "C01": ["dx_omitted"],
    "C02": ["dx_resequenced", "hc_units"],
    "C03": ["dx_resequenced", "hc_revised", "dx_added"],
    "C04": ["dx_resequenced", "pcs_revised", "hc_added", "dx_omitted"],
    "C05": ["hc_modifier_units", "dx_resequenced", "hc_revised", "dx_added", "pcs_added"],
    "C06": ["hc_modifier_units", "dx_resequenced", "hc_revised", "hc_omitted", "dx_added",
            "pcs_omitted", "hc_units"],
    "C07": ["dx_added", "hc_modifier", "dx_omitted"],
}


def _rows(kind):
    return 2 if kind == "hc_modifier_units" else 1


def inject_for_coder(rng: Random, states, coder, n_errors, n_omit):
    """Injects n_errors error rows (exactly n_omit omissions when n_omit is not None)."""
    budget = n_errors if n_omit is None else n_errors - n_omit
    kinds, total = [], 0
    for k in MANDATORY.get(coder, []):
        if n_omit is not None and k.endswith("omitted"):
            continue
        if total + _rows(k) <= budget:
            kinds.append(k)
            total += _rows(k)
    while total < budget:
        k = pick_weighted(rng, ERROR_WEIGHTS if n_omit is None else NON_OMIT)
        kinds.append(k)
        total += 1
    if n_omit is not None:
        kinds += [pick_weighted(rng, OMIT) for _ in range(n_omit)]
    for k in kinds:
        order = states[:]
        rng.shuffle(order)
        fallback = OMIT if k.endswith("omitted") else NON_OMIT
        tries = [k] if k == "hc_modifier_units" else [k] + [x for x, _ in fallback]
        if not any(INJECTORS[kk](s, rng) for kk in tries for s in order):
            raise RuntimeError(f"could not inject {k} for {coder}")


def build_audits(rng: Random, encs):
    audits = []
    for coder in CODERS:
        for _ in range(2000):
            picked = select_audits(rng, encs, coder)
            n = sum(len(e.lines) for e in picked)
            plan = plan_errors(rng, coder, n)
            if plan is not None:
                break
        else:
            raise RuntimeError("no feasible audit sample for " + coder)
        n_errors, n_omit = plan
        states = [AuditState(e, rng.choice(AUDITORS)) for e in picked]
        inject_for_coder(rng, states, coder, n_errors, n_omit)
        audits.extend(states)
    return audits


# --------------------------------------------------------------------------------------
# Coder QA v2 on top of the injected errors (a second generator, so everything above stays
# byte-identical): POA errors, the auditor's MS-DRG, reasons and comments on the auditor's
# rows, removed=Y rows naming struck codes, and the ground truth for direction and money
# (scored with samples/drg_weights.csv, base rate BASE_RATE, samples/cc_mcc.csv).

QA2_SEED = SEED + 1
BASE_RATE = 6000.00
# Coders who get one POA error on an inpatient audit (pass/fail unchanged: C02 stays above
# the benchmark, C03 stays exactly on it, C04 and C06 stay below).
POA_CODERS = ["C02", "C04", "C06"]

# Synthetic MS-DRG relative weights (plausible magnitudes, not CMS's table).
DRG_WEIGHTS = {
    "064": 1.8527, "065": 1.0217, "066": 0.7212, "189": 1.2109, "190": 1.1839,
    "191": 0.9347, "192": 0.7130, "193": 1.3512, "194": 0.9101, "195": 0.6810,
    "291": 1.3371, "292": 0.8898, "293": 0.6409, "321": 1.9270, "322": 1.5503,
    "377": 1.7714, "378": 1.0009, "379": 0.6704, "397": 1.6120, "398": 1.1034,
    "399": 0.7986, "417": 2.1015, "418": 1.5241, "419": 1.2012, "469": 3.0478,
    "470": 1.9030, "640": 1.1504, "641": 0.7485, "682": 1.4903, "683": 0.9312,
    "684": 0.6217, "689": 1.0811, "690": 0.7702, "786": 1.4530, "787": 1.0512,
    "788": 0.8547, "805": 0.9512, "806": 0.7298, "807": 0.6205, "871": 1.8824,
    "872": 1.0197,
}
# MS-DRG family (MCC, CC, neither) by the principal diagnosis's category: the coder's
# principals (ip_template) and the ones an auditor may promote by resequencing.
DRG_FAMILY = {
    "M17": ("469", "470", "470"), "M16": ("469", "470", "470"),
    "K35": ("397", "398", "399"), "K80": ("417", "418", "419"),
    "I11": ("291", "292", "293"), "I50": ("291", "292", "293"),
    "J44": ("190", "191", "192"), "J18": ("193", "194", "195"),
    "A41": ("871", "872", "872"), "I21": ("321", "322", "322"),
    "K92": ("377", "378", "379"), "I63": ("064", "065", "066"),
    "N39": ("689", "690", "690"), "N17": ("682", "683", "684"),
    "O80": ("805", "806", "807"), "O24": ("805", "806", "807"),
    "O34": ("786", "787", "788"), "J96": ("189", "189", "189"),
    "E87": ("640", "641", "641"), "E86": ("640", "641", "641"),
}
LEVEL = {None: 0, "CC": 1, "MCC": 2}


def coded_drg(dx_codes):
    return drg_for(DRG_FAMILY[category(dx_codes[0])], dx_codes[1:])


def cents(text):
    return round(float(text) * 100) if text else 0


def sign(x):
    return "over" if x > 0 else "under" if x < 0 else "neutral"


def extend_audits(audits, encs):
    rng = Random(QA2_SEED)
    run_codes = {(e.claim_type, ln.code) for e in encs for ln in e.lines_of("HCPCS")}
    for s in audits:
        s.notes = {}       # (code_type, code) -> (reason, comment) on the auditor's row
        s.removed = []     # (code_type, code, reason, comment)
        s.drg_aud = ""
    # POA: Y -> N on a secondary that is not a CC/MCC (the DRG stays as it was).
    for coder in POA_CODERS:
        cands = []
        for s in audits:
            if s.enc.coder != coder or s.enc.claim_type != "inpatient":
                continue
            coder_dx = s.coder_dx
            aud = [c for c, _ in s.dx]
            for k, (c, poa) in enumerate(s.dx):
                if (k > 0 and poa == "Y" and c not in CC_MCC and c not in POA_EXEMPT
                        and c not in s.touched["DX"] and _count(coder_dx, c) == 1
                        and _count(aud, c) == 1 and coder_dx.index(c) > 0):
                    cands.append((s, k))
        s, k = rng.choice(cands)
        c = s.dx[k][0]
        s.dx[k] = (c, "N")
        s.touched["DX"].add(c)
        s.log.append(("poa", "DX", f"{c} POA Y -> N"))
    # The auditor's DRG from the auditor's own coding; the coder's DRG must come out of
    # the same rule, or the grouping table above is wrong.
    for s in audits:
        if s.enc.claim_type != "inpatient":
            continue
        assert coded_drg(s.coder_dx) == s.enc.drg, (s.enc.eid, s.enc.drg)
        s.drg_aud = coded_drg([c for c, _ in s.dx])
    # Reasons and comments, one per injected error.
    for s in audits:
        for outcome, ct, detail in s.log:
            if outcome == "revised":
                old, new = detail.split(" -> ")
                s.notes[(ct, new)] = ("SPEC", f"documentation supports {new}")
            elif outcome == "omitted":
                s.notes[(ct, detail)] = ("DOC", f"{detail} documented but not coded")
            elif outcome == "added":
                s.removed.append((ct, detail, "DOC", f"{detail} not supported by the record"))
            elif outcome == "resequenced":
                y = detail.split(" -> ")[1]
                s.notes[(ct, y)] = ("SEQ", f"{y} meets the principal diagnosis definition")
            elif outcome == "modifier":
                code = detail.split(" ")[0]
                s.notes[(ct, code)] = ("MOD", "modifier per operative note")
            elif outcome == "units":
                code = detail.split(" ")[0]
                reason, comment = s.notes.get((ct, code), ("UNITS", ""))
                s.notes[(ct, code)] = (reason, (comment + "; " if comment else "") +
                                       f"{detail.split(' -> ')[1]} units documented")
            elif outcome == "poa":
                code = detail.split(" ")[0]
                s.notes[(ct, code)] = ("POA", "condition arose after admission")
    return run_codes


def money_truth(s, run_codes):
    """Direction of each counted error and the encounter's payment difference (cents),
    from what was injected, by the rules of audit/qa/README.md."""
    enc = s.enc
    fac = 0 if enc.claim_type == "outpatient" else 1
    drg_dir = None
    pay = 0
    if enc.claim_type == "inpatient" and s.drg_aud and s.drg_aud != enc.drg:
        wc, wa = DRG_WEIGHTS[enc.drg], DRG_WEIGHTS[s.drg_aud]
        drg_dir = sign(wc - wa)
        pay = round((wc - wa) * BASE_RATE * 100)
    coder_dx = s.coder_dx
    aud_dx = [c for c, _ in s.dx]

    def line_of(code):
        return [ln for ln in enc.lines_of("HCPCS") if ln.code == code][0]

    def ref(code):
        return CHARGES[code][fac] * 100 if (enc.claim_type, code) in run_codes else None

    dirs = []
    for outcome, ct, detail in s.log:
        amount = 0
        if outcome == "added":
            d = "over"
            if ct == "HCPCS":
                amount = cents(line_of(detail).charge)
        elif outcome == "omitted":
            d = "under"
            if ct == "HCPCS" and ref(detail) is not None:
                amount = -ref(detail)  # omitted lines carry 1 unit
        elif outcome == "units":
            code, rest = detail.split(" units ")
            cu, au = (int(x) for x in rest.split(" -> "))
            d = sign(cu - au)
            ln = line_of(code)
            amount = round(cents(ln.charge) * (cu - au) / cu)
        elif outcome == "modifier":
            d = "neutral"
        elif outcome == "poa":
            d = "over"
        elif outcome == "resequenced":
            d = drg_dir or "neutral"
        else:  # revised
            old, new = detail.split(" -> ")
            d = None
            if ct == "DX":
                principal = coder_dx.index(old) == 0 or aud_dx.index(new) == 0
                if not principal and LEVEL[CC_MCC.get(old)] != LEVEL[CC_MCC.get(new)]:
                    d = sign(LEVEL[CC_MCC.get(old)] - LEVEL[CC_MCC.get(new)])
                elif principal and drg_dir:
                    d = drg_dir
            elif ct == "PCS":
                d = drg_dir
            else:
                if new[:3] == "992" and old[:4] == new[:4]:
                    d = sign(int(old[4]) - int(new[4]))
                ln = line_of(old)
                if ref(new) is not None:
                    amount = cents(ln.charge) - ref(new) * ln.units
                if d is None and amount:
                    d = sign(amount)
            d = d or "neutral"
        if enc.claim_type != "inpatient":
            pay += amount
        dirs.append(d)
    return dict(over_coded=dirs.count("over"), under_coded=dirs.count("under"), payment=pay)


# --------------------------------------------------------------------------------------
# A second auditor (A03) re-codes every other audited encounter for the audit-the-auditor
# view (coderaudit agreement). B starts from A's coding, then on some encounters agrees
# with the coder where A did not (one error item reverted) and on others strikes a
# secondary diagnosis A kept. Every item's outcome category is known for both, so the
# expected agreement and kappa are computed here, not from a diff.

SECOND_AUDITOR = "A03"


def item_categories(s, dx, pcs, hc, hc_extra, drg, log):
    """Outcome category per item (coder line, added code, DRG) from the change log."""
    cats = {}
    seen = {}
    for ln in s.enc.lines:
        # A code billed twice is two items; touched codes are unique (occurrence 0).
        k = seen.get((ln.type, ln.code), 0)
        seen[(ln.type, ln.code)] = k + 1
        cats[(ln.type, ln.code) if k == 0 else (ln.type, ln.code, k)] = "match"
    for outcome, ct, detail in log:
        if outcome in ("revised",):
            cats[(ct, detail.split(" -> ")[0])] = "revised"
        elif outcome == "added":
            cats[(ct, detail)] = "added"
        elif outcome == "resequenced":
            cats[(ct, detail.split(" -> ")[1])] = "resequenced"
        elif outcome in ("modifier", "units", "poa"):
            key = (ct, detail.split(" ")[0])
            cats[key] = outcome if cats[key] == "match" else cats[key] + "+" + outcome
        elif outcome == "omitted":
            cats[("omitted", ct, detail)] = "omitted"
    if s.enc.claim_type == "inpatient":
        cats[("DRG",)] = "drg" if drg != s.enc.drg else "match"
    return cats


def second_auditor(audits):
    rng = Random(SEED + 2)
    states, pairs = [], []
    for n, s in enumerate(audits):
        if n % 2:
            continue
        b = dict(dx=list(s.dx), pcs=list(s.pcs), hc=[dict(h) if h else None for h in s.hc],
                 hc_extra=[dict(h) for h in s.hc_extra], log=list(s.log), eid=s.enc.eid)
        coder_hc = s.enc.lines_of("HCPCS")
        roll = rng.random()
        if s.log and roll < 0.45:
            # Agree with the coder on one of A's errors (a modifier+units line as a whole).
            entry = rng.choice(s.log)
            outcome, ct, detail = entry
            code = detail.split(" ")[0]
            drop = [e for e in b["log"] if e == entry or
                    (outcome in ("modifier", "units") and e[0] in ("modifier", "units")
                     and e[2].split(" ")[0] == code)]
            b["log"] = [e for e in b["log"] if e not in drop]
            if outcome == "revised":
                old, new = detail.split(" -> ")
                if ct == "DX":
                    k = [c for c, _ in b["dx"]].index(new)
                    poa = [ln.poa for ln in s.enc.lines_of("DX") if ln.code == old][0]
                    b["dx"][k] = (old, poa)
                elif ct == "PCS":
                    k = [c for c, _ in b["pcs"]].index(new)
                    b["pcs"][k] = (old, b["pcs"][k][1])
                else:
                    k = [h["code"] if h else None for h in b["hc"]].index(new)
                    b["hc"][k]["code"] = old
            elif outcome == "added":
                if ct == "DX":
                    b["dx"].append((detail, [ln.poa for ln in s.enc.lines_of("DX") if ln.code == detail][0]))
                elif ct == "PCS":
                    b["pcs"].append((detail, [ln.date for ln in s.enc.lines_of("PCS") if ln.code == detail][0]))
                else:
                    k = [ln.code for ln in coder_hc].index(detail)
                    ln = coder_hc[k]
                    b["hc"][k] = dict(code=ln.code, mods=ln.mods, units=ln.units, date=ln.date,
                                      date_blank=ln.date_blank)
            elif outcome == "omitted":
                if ct == "DX":
                    b["dx"] = [x for x in b["dx"] if x[0] != detail]
                elif ct == "PCS":
                    b["pcs"] = [x for x in b["pcs"] if x[0] != detail]
                else:
                    b["hc_extra"] = [h for h in b["hc_extra"] if h["code"] != detail]
            elif outcome == "resequenced":
                x, y = detail.split("principal ")[1].split(" -> ")
                codes = [c for c, _ in b["dx"]]
                i, j = codes.index(x), codes.index(y)
                b["dx"][i], b["dx"][j] = b["dx"][j], b["dx"][i]
            elif outcome in ("modifier", "units"):
                k = [ln.code for ln in coder_hc].index(code)
                b["hc"][k]["mods"] = coder_hc[k].mods
                b["hc"][k]["units"] = coder_hc[k].units
            elif outcome == "poa":
                k = [c for c, _ in b["dx"]].index(code)
                b["dx"][k] = (code, "Y")
        elif roll > 0.75 and not s.has_o_codes():
            # Strike a secondary A kept: unique, untouched, its category nowhere else.
            coder = s.coder_dx
            aud = [c for c, _ in b["dx"]]
            cands = [c for c in coder[1:] if c in aud and aud.index(c) != 0
                     and c not in s.touched["DX"] and _count(coder, c) == 1
                     and sum(category(x) == category(c) for x in coder + aud) == 2
                     and category(c) not in s.leftover["DX"]]
            if cands:
                c = rng.choice(cands)
                b["dx"] = [x for x in b["dx"] if x[0] != c]
                b["log"].append(("added", "DX", c))
        drg_b = coded_drg([c for c, _ in b["dx"]]) if s.enc.claim_type == "inpatient" else ""
        b["drg"] = drg_b
        ca = item_categories(s, s.dx, s.pcs, s.hc, s.hc_extra, s.drg_aud, s.log)
        cb = item_categories(s, b["dx"], b["pcs"], b["hc"], b["hc_extra"], drg_b, b["log"])
        for key in sorted(set(ca) | set(cb), key=str):
            pairs.append((ca.get(key, "match"), cb.get(key, "match")))
        states.append((s, b))
    return states, pairs


def kappa(pairs):
    n = len(pairs)
    cats = sorted({x for p in pairs for x in p})
    po = sum(a == b for a, b in pairs) / n
    pe = sum((sum(a == c for a, _ in pairs) / n) * (sum(b == c for _, b in pairs) / n)
             for c in cats)
    return sum(a == b for a, b in pairs), po, pe, (po - pe) / (1 - pe)


def second_auditor_rows(s, b):
    rows = []
    for i, (c, poa) in enumerate(b["dx"], 1):
        rows.append([b["eid"], SECOND_AUDITOR if not rows else "", "DX", str(i), c, poa, "", "",
                     "", b["drg"] if not rows else "", "", "", ""])
    for i, (c, d) in enumerate(b["pcs"], 1):
        rows.append([b["eid"], "", "PCS", str(i), c, "", "", "", fmt_date(d), "", "", "", ""])
    for h in [x for x in b["hc"] if x] + b["hc_extra"]:
        rows.append([b["eid"], "", "HCPCS", "", h["code"], "", ";".join(h["mods"]),
                     fmt_units(h["units"]), fmt_date(h["date"]), "", "", "", ""])
    return rows


# --------------------------------------------------------------------------------------
# Writing


def fmt_date(d):
    return d.isoformat() if d else ""


def fmt_units(u):
    return str(u)


def encounter_rows(e: Encounter):
    rows = []
    header = [e.eid, e.patient.pid, e.patient.sex, fmt_date(e.patient.birth), fmt_date(e.start),
              fmt_date(e.end), e.claim_type, e.provider, e.coder, e.payer, e.drg, e.dstatus]
    for k, ln in enumerate(e.lines):
        h = header if (k == 0 or e.repeat_header) else [e.eid] + [""] * 11
        if ln.type == "DX":
            body = ["DX", str(ln.seq), ln.code, ln.poa, "", "", "", ""]
        elif ln.type == "PCS":
            body = ["PCS", str(ln.seq), ln.code, "", "", "", fmt_date(ln.date), ""]
        else:
            body = ["HCPCS", "", ln.code, "", ";".join(ln.mods),
                    "" if ln.units_blank else fmt_units(ln.units),
                    "" if ln.date_blank else fmt_date(ln.date), ln.charge]
        rows.append(h + body)
    return rows


def auditor_rows(s: AuditState, rng: Random):
    rows = []
    first = True
    repeat = rng.random() < 0.15

    def aid():
        nonlocal first
        v = s.auditor if (first or repeat) else ""
        first = False
        return v

    def extra(ct, code, is_first):
        reason, comment = s.notes.get((ct, code), ("", ""))
        return [s.drg_aud if is_first else "", reason, comment, ""]

    for i, (c, poa) in enumerate(s.dx, 1):
        code = c.replace(".", "") if rng.random() < 0.1 else c  # dots are ignored
        rows.append([s.enc.eid, aid(), "DX", str(i), code, poa, "", "", ""] +
                    extra("DX", c, not rows))
    for i, (c, d) in enumerate(s.pcs, 1):
        rows.append([s.enc.eid, aid(), "PCS", str(i), c, "", "", "", fmt_date(d)] +
                    extra("PCS", c, not rows))
    for h in [x for x in s.hc if x] + s.hc_extra:
        mods = list(h["mods"])
        if len(mods) >= 2:
            mods.reverse()  # same set, different order: still a match
        rows.append([s.enc.eid, aid(), "HCPCS", "", h["code"], "", ";".join(mods),
                     fmt_units(h["units"]), fmt_date(h["date"])] + extra("HCPCS", h["code"], not rows))
    # Codes the auditor struck: named only to carry the reason (removed=Y).
    for ct, code, reason, comment in s.removed:
        rows.append([s.enc.eid, "", ct, "", code, "", "", "", "", "", reason, comment, "Y"])
    return rows


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


BAD_HEADER = ",".join(ENC_COLUMNS)
# Lines of the bad file (after the header). Comments explain each bad row; README lists
# the resulting line numbers.
BAD_ROWS = [
    # B01 good
    "B01,PT90001,F,1961-05-14,2024-04-02,2024-04-02,professional,9000000001,C01,BCBS,,,DX,1,M17.11,,,,,",
    "B01,,,,,,,,,,,,HCPCS,,99213,,25,1,2024-04-02,125.00",
    "B01,,,,,,,,,,,,HCPCS,,20610,,RT,1,2024-04-02,210.00",
    # B02 bad service_date (February 30)
    "B02,PT90002,M,1955-11-03,2024-02-27,2024-02-27,professional,9000000001,C02,MEDICARE,,,DX,1,I10,,,,,",
    "B02,,,,,,,,,,,,HCPCS,,99214,,,1,2024-02-30,185.00",
    # B03 good (its id reappears later: non-contiguous)
    "B03,PT90003,F,1970-01-20,2024-05-06,2024-05-06,outpatient,9000000002,C03,AETNA,,,DX,1,R05.1,,,,,",
    "B03,,,,,,,,,,,,HCPCS,,71046,,,1,2024-05-06,310.00",
    # B04 unknown code_type
    "B04,PT90004,M,1948-08-08,2024-06-10,2024-06-10,professional,9000000003,C04,MEDICARE,,,DX,1,E11.9,,,,,",
    "B04,,,,,,,,,,,,CPT,,99213,,,1,2024-06-10,125.00",
    # B05 inpatient with a 6-character PCS code
    "B05,PT90005,F,1950-03-30,2024-07-01,2024-07-04,inpatient,9000000002,C05,MEDICARE,470,01,DX,1,M17.12,Y,,,,",
    "B05,,,,,,,,,,,,PCS,1,0SRD0J,,,,2024-07-01,",
    # B06 good
    "B06,PT90006,M,1982-12-12,2024-07-15,2024-07-15,professional,9000000004,C06,UHC,,,DX,1,J06.9,,,,,",
    "B06,,,,,,,,,,,,HCPCS,,99213,,,1,2024-07-15,125.00",
    # B07 units 0
    "B07,PT90007,F,1976-02-02,2024-08-05,2024-08-05,professional,9000000003,C07,CIGNA,,,DX,1,M54.50,,,,,",
    "B07,,,,,,,,,,,,HCPCS,,96372,,,0,2024-08-05,45.00",
    # B08 five modifiers
    "B08,PT90008,M,1966-09-09,2024-08-20,2024-08-20,professional,9000000001,C01,BCBS,,,DX,1,M17.11,,,,,",
    "B08,,,,,,,,,,,,HCPCS,,20610,,RT;59;XS;76;GA,1,2024-08-20,210.00",
    # B09 good
    "B09,PT90009,F,1990-04-04,2024-09-03,2024-09-03,outpatient,9000000002,C02,MEDICAID,,,DX,1,N39.0,,,,,",
    "B09,,,,,,,,,,,,HCPCS,,81003,,,1,2024-09-03,25.00",
    # B10 conflicting header value on a later row (sex F then M)
    "B10,PT90010,F,1959-06-18,2024-09-16,2024-09-16,professional,9000000004,C03,MEDICARE,,,DX,1,E78.5,,,,,",
    "B10,PT90010,M,1959-06-18,2024-09-16,2024-09-16,professional,9000000004,C03,MEDICARE,,,HCPCS,,99214,,,1,2024-09-16,185.00",
    # B03 again: non-contiguous encounter id
    "B03,,,,,,,,,,,,HCPCS,,85025,,,1,2024-05-06,55.00",
    # B11 good
    "B11,PT90011,M,1972-10-10,2024-10-07,2024-10-07,professional,9000000003,C04,AETNA,,,DX,1,K21.9,,,,,",
    "B11,,,,,,,,,,,,HCPCS,,99212,,,1,2024-10-07,80.00",
    # B12 good
    "B12,PT90012,F,1985-01-25,2024-11-11,2024-11-11,outpatient,9000000002,C05,BCBS,,,DX,1,M25.561,,,,,",
    "B12,,,,,,,,,,,,HCPCS,,73562,,RT,1,2024-11-11,290.00",
    # B13 good first row, then an unterminated quote that runs to the end of the file
    "B13,PT90013,M,1957-07-07,2024-12-02,2024-12-02,professional,9000000001,C06,MEDICARE,,,DX,1,I10,,,,,",
    "B13,,,,,,,,,,,,HCPCS,,99213,,,1,2024-12-02,\"125.00",
]


def write_bad(path):
    text = BAD_HEADER + "\n" + "\n".join(r for r in BAD_ROWS) + "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--log", action="store_true", help="print the injection log to stdout")
    args = ap.parse_args(argv)
    rng = Random(SEED)
    world = World(rng)
    encs = build_all(world)
    check_encounters(encs)
    audits = build_audits(rng, encs)
    run_codes = extend_audits(audits, encs)

    os.makedirs(args.out, exist_ok=True)
    rows = [r for e in encs for r in encounter_rows(e)]
    write_csv(os.path.join(args.out, "encounters.csv"), ENC_COLUMNS, rows)
    audits.sort(key=lambda s: s.enc.eid)
    arows = [r for s in audits for r in auditor_rows(s, rng)]
    write_csv(os.path.join(args.out, "auditor.csv"), AUD_COLUMNS, arows)

    states_b, pairs = second_auditor(audits)
    write_csv(os.path.join(args.out, "auditor_b.csv"), AUD_COLUMNS,
              [r for s, b in states_b for r in second_auditor_rows(s, b)])
    agreed, po, pe, k = kappa(pairs)
    e_agreed, e_po, e_pe, e_k = kappa([(a != "match", b != "match") for a, b in pairs])
    write_csv(os.path.join(args.out, "expected_agreement.csv"), ["measure", "value"],
              [["encounters_both", len(states_b)], ["items", len(pairs)], ["agreed", agreed],
               ["observed", f"{po:.6f}"], ["expected", f"{pe:.6f}"], ["kappa", f"{k:.6f}"],
               ["error_agreed", e_agreed], ["error_observed", f"{e_po:.6f}"],
               ["error_kappa", f"{e_k:.6f}"]])
    write_csv(os.path.join(args.out, "drg_weights.csv"), ["drg", "weight"],
              [[k, f"{v:.4f}"] for k, v in sorted(DRG_WEIGHTS.items())])
    write_csv(os.path.join(args.out, "cc_mcc.csv"), ["code", "level"],
              [[k, v] for k, v in sorted(CC_MCC.items())])
    per = {c: dict(coder_id=c, encounters=0, codes_reviewed=0, matches=0, errors=0, added=0,
                   omitted=0, revised=0, resequenced=0, modifier=0, units=0,
                   error_free_encounters=0, poa=0, drg_encounters=0, drg_changes=0,
                   over_coded=0, under_coded=0, overpayment=0, underpayment=0)
           for c in CODERS}
    log_lines = ["coder_id\tencounter_id\tauditor_id\toutcome\tcode_type\tdetail"]
    for s in audits:
        sc = score_state(s)
        p = per[s.enc.coder]
        p["encounters"] += 1
        for k, v in sc.items():
            p[k] += v
        if sc["errors"] == 0:
            p["error_free_encounters"] += 1
        if s.drg_aud:
            p["drg_encounters"] += 1
            p["drg_changes"] += s.drg_aud != s.enc.drg
        m = money_truth(s, run_codes)
        p["over_coded"] += m["over_coded"]
        p["under_coded"] += m["under_coded"]
        if m["payment"] > 0:
            p["overpayment"] += m["payment"]
        else:
            p["underpayment"] -= m["payment"]
        for outcome, ct, detail in s.log:
            log_lines.append(f"{s.enc.coder}\t{s.enc.eid}\t{s.auditor}\t{outcome}\t{ct}\t{detail}")
    for c in CODERS:  # dollars with cents, as the CSV shows money
        for k in ("overpayment", "underpayment"):
            per[c][k] = f"{per[c][k] / 100:.2f}"
    srows = [[per[c][k] for k in SCORE_COLUMNS] for c in CODERS]
    write_csv(os.path.join(args.out, "expected_scores.csv"), SCORE_COLUMNS, srows)
    write_bad(os.path.join(args.out, "bad_encounters.csv"))

    # design checks: who passes the 95% benchmark
    for c in CODERS:
        p = per[c]
        acc = p["matches"] / (p["matches"] + p["errors"])
        want = TARGET_ACCURACY[c] >= 0.95
        if (acc >= 0.95) != want:
            raise SystemExit(f"design check failed: {c} accuracy {acc:.4f}")
    if args.log:
        sys.stdout.write("\n".join(log_lines) + "\n")
    tags = {}
    for e in encs:
        for t in e.tags:
            tags.setdefault(t, []).append(e.eid)
    for t in sorted(tags):
        print(f"{t:10s} {len(tags[t]):3d} {' '.join(tags[t])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
