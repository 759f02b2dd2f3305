#!/usr/bin/env python3
"""Writes the same synthetic encounters in every input format coderaudit reads.

Takes a fixed list of encounters from samples/encounters.csv (chosen to fire every rule
of samples/rules/facility.xml and to cover all three claim types) and writes them as:

  samples/x12/same_encounters.csv          the canonical CSV layout (the reference)
  samples/x12/same_encounters_837p.x12     X12 005010X222A1 837P (professional claims)
  samples/x12/same_encounters_837i.x12     X12 005010X223A2 837I (inpatient/outpatient)
  samples/fhir/same_encounters.bundle.json FHIR R4 Bundle of Claim + Patient + Organization
  samples/fhir/same_encounters.ndjson      FHIR R4 NDJSON of ExplanationOfBenefit (+ parties)
  samples/mapping/export_row_per_code.csv  a ';'-separated "EHR export", MM/DD/YYYY dates
  samples/mapping/export_row_per_encounter.csv  one row per encounter, DX1..DX25 columns
  samples/json/same_encounters.json        the JSON claim model (schemas/claim-json.md)

tests/ingest_formats/same_encounters_test.cpp reads all of them and checks that every
reader produces the same Encounter objects (coder_id aside: X12 and FHIR carry no
coder, see schemas/x12-837-mapping.md). Python 3 stdlib only; deterministic output.
Run from the repository root: /usr/bin/python3 samples/x12/make_same_encounters.py
"""
import csv
import io
import json
import os
import sys

IDS = ["IP-0001", "IP-0007", "IP-0048", "IP-0056", "OP-0006", "OP-0043", "OP-0055",
       "OP-0064", "OP-0090", "PR-0001", "PR-0014", "PR-0021", "PR-0039", "PR-0046",
       "PR-0069", "PR-0099", "PR-0106", "PR-0111"]
HEADER = ["encounter_id", "patient_id", "sex", "birth_date", "from_date", "through_date",
          "claim_type", "provider_id", "coder_id", "payer", "drg", "discharge_status",
          "code_type", "seq", "code", "poa", "modifiers", "units", "service_date", "charge"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load():
    encounters = {}
    order = []
    with open(os.path.join(ROOT, "samples", "encounters.csv"), newline="") as f:
        for row in csv.DictReader(f):
            eid = row["encounter_id"]
            if eid not in IDS:
                continue
            if eid not in encounters:
                encounters[eid] = {k: row[k] for k in HEADER[:12]}
                encounters[eid]["lines"] = []
                order.append(eid)
            encounters[eid]["lines"].append({k: row[k] for k in HEADER[12:]})
    for e in encounters.values():  # DX by seq, PCS by seq, then HCPCS as billed
        rank = {"DX": 0, "PCS": 1, "HCPCS": 2}
        e["lines"].sort(key=lambda l: (rank[l["code_type"]],
                                       int(l["seq"]) if l["code_type"] != "HCPCS" else 0))
    return [encounters[i] for i in IDS]


def nodot(code):
    return code.replace(".", "")


def d8(iso):
    return iso.replace("-", "")


def cents(text):
    return int(round(float(text or "0") * 100))


def money(c):
    return "%d.%02d" % (c // 100, c % 100)


def units(l):
    return l["units"] or "1"


def line_date(e, l):
    return l["service_date"] or e["from_date"]


def write_csv(encs, path):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for e in encs:
        for i, l in enumerate(e["lines"]):
            head = [e[k] for k in HEADER[:12]] if i == 0 else [e["encounter_id"]] + [""] * 11
            w.writerow(head + [l[k] for k in HEADER[12:]])
    open(path, "w").write(out.getvalue())


class X12:
    """Minimal 5010 writer: one interchange, one group, one transaction set."""

    def __init__(self, version):
        self.version = version
        self.segments = []

    def seg(self, *elements):
        self.segments.append("*".join(elements))

    def text(self, control):
        isa = ("ISA*00*          *00*          *ZZ*CODERAUDIT     *ZZ*RECEIVER       "
               "*240101*1200*^*00501*%09d*0*T*:" % control)
        body = [isa, "GS*HC*CODERAUDIT*RECEIVER*20240101*1200*%d*X*%s" % (control, self.version),
                "ST*837*0001*%s" % self.version,
                "BHT*0019*00*SAMPLE%04d*20240101*1200*CH" % control,
                "NM1*41*2*CODERAUDIT SAMPLES*****46*SUBMIT01",
                "PER*IC*SAMPLE CONTACT*TE*5555550100",
                "NM1*40*2*SAMPLE RECEIVER*****46*RECV01"] + self.segments
        body.append("SE*%d*0001" % (len(body) - 2 + 1))
        body += ["GE*1*%d" % control, "IEA*1*%09d" % control]
        return "~\n".join(body) + "~\n"


def subscriber(x, hl, parent, e):
    sbr09 = {"MEDICARE": "MB", "MEDICAID": "MC", "SELFPAY": "ZZ"}.get(e["payer"], "CI")
    x.seg("HL", str(hl), str(parent), "22", "0")
    x.seg("SBR", "P", "18", "", "", "", "", "", "", sbr09)
    x.seg("NM1", "IL", "1", "PATIENT", "SAMPLE", "", "", "", "MI", e["patient_id"])
    x.seg("DMG", "D8", d8(e["birth_date"]), e["sex"])
    x.seg("NM1", "PR", "2", e["payer"], "", "", "", "", "PI", "PAYERID01")


def billing(x, hl, npi):
    x.seg("HL", str(hl), "", "20", "1")
    x.seg("NM1", "85", "2", "SAMPLE PROVIDER", "", "", "", "", "XX", npi)
    x.seg("N3", "1 SAMPLE WAY")
    x.seg("N4", "ANYTOWN", "PA", "171110000")
    x.seg("REF", "EI", "999999999")


def hi_segments(x, composites):
    for i in range(0, len(composites), 12):
        x.seg("HI", *composites[i:i + 12])


def write_837p(encs, path):
    x = X12("005010X222A1")
    hl = 0
    for e in encs:
        hl += 1
        billing(x, hl, e["provider_id"])
        hl += 1
        subscriber(x, hl, hl - 1, e)
        hcpcs = [l for l in e["lines"] if l["code_type"] == "HCPCS"]
        dx = [l for l in e["lines"] if l["code_type"] == "DX"]
        total = sum(cents(l["charge"]) for l in hcpcs)
        x.seg("CLM", e["encounter_id"], money(total), "", "", "11:B:1", "Y", "A", "Y", "Y")
        hi_segments(x, [("ABK:" if i == 0 else "ABF:") + nodot(l["code"]) for i, l in enumerate(dx)])
        pointers = ":".join(str(i + 1) for i in range(min(4, len(dx))))
        for n, l in enumerate(hcpcs, 1):
            x.seg("LX", str(n))
            proc = ":".join(["HC", l["code"]] + [m for m in l["modifiers"].split(";") if m])
            x.seg("SV1", proc, money(cents(l["charge"])), "UN", units(l), "", "", pointers)
            x.seg("DTP", "472", "D8", d8(line_date(e, l)))
    open(path, "w").write(x.text(101))


def revenue(code):
    if code.startswith("J"):
        return "0636"
    if code.startswith("99"):
        return "0510"
    if code.startswith("7"):
        return "0320"
    if code.startswith("8"):
        return "0300"
    if code.startswith("9"):
        return "0940"
    return "0360"


def write_837i(encs, path):
    x = X12("005010X223A2")
    hl = 0
    for e in encs:
        inpatient = e["claim_type"] == "inpatient"
        hl += 1
        billing(x, hl, e["provider_id"])
        hl += 1
        subscriber(x, hl, hl - 1, e)
        hcpcs = [l for l in e["lines"] if l["code_type"] == "HCPCS"]
        dx = [l for l in e["lines"] if l["code_type"] == "DX"]
        pcs = [l for l in e["lines"] if l["code_type"] == "PCS"]
        total = sum(cents(l["charge"]) for l in e["lines"])
        x.seg("CLM", e["encounter_id"], money(total), "", "", ("11" if inpatient else "13") + ":A:1",
              "Y", "A", "Y", "Y")
        x.seg("DTP", "434", "RD8", d8(e["from_date"]) + "-" + d8(e["through_date"]))
        if inpatient:
            x.seg("DTP", "435", "DT", d8(e["from_date"]) + "0800")
        if e["discharge_status"]:
            x.seg("CL1", "1", "1", e["discharge_status"])

        def dxc(q, l):
            return q + ":" + nodot(l["code"]) + (":::::::" + l["poa"] if l["poa"] else "")
        x.seg("HI", dxc("ABK", dx[0]))
        hi_segments(x, [dxc("ABF", l) for l in dx[1:]])
        if pcs:
            def pc(q, l):
                return q + ":" + l["code"] + (":D8:" + d8(l["service_date"]) if l["service_date"] else "")
            x.seg("HI", pc("BBR", pcs[0]))
            hi_segments(x, [pc("BBQ", l) for l in pcs[1:]])
        if e["drg"]:
            x.seg("HI", "DR:" + e["drg"])
        x.seg("NM1", "71", "1", "ATTENDING", "SAMPLE", "", "", "", "XX", e["provider_id"])
        for n, l in enumerate(hcpcs, 1):
            x.seg("LX", str(n))
            proc = ":".join(["HC", l["code"]] + [m for m in l["modifiers"].split(";") if m])
            x.seg("SV2", revenue(l["code"]), proc, money(cents(l["charge"])), "UN", units(l))
            x.seg("DTP", "472", "D8", d8(line_date(e, l)))
    open(path, "w").write(x.text(102))


CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://bluebutton.cms.gov/resources/codesystem/hcpcs"


def coding(system, code):
    return {"coding": [{"system": system, "code": code}]}


def claim_resource(e, kind):
    """Claim (kind 'Claim') or ExplanationOfBenefit for one encounter."""
    institutional = e["claim_type"] != "professional"
    dx = [l for l in e["lines"] if l["code_type"] == "DX"]
    pcs = [l for l in e["lines"] if l["code_type"] == "PCS"]
    hcpcs = [l for l in e["lines"] if l["code_type"] == "HCPCS"]
    r = {"resourceType": kind, "id": e["encounter_id"].lower(),
         "identifier": [{"system": "urn:coderaudit:sample:claim", "value": e["encounter_id"]}],
         "status": "active", "use": "claim",
         "type": coding("http://terminology.hl7.org/CodeSystem/claim-type",
                        "institutional" if institutional else "professional")}
    if institutional:
        r["subType"] = coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType",
                              e["claim_type"])
    r["patient"] = {"reference": "Patient/" + e["patient_id"]}
    r["billablePeriod"] = {"start": e["from_date"], "end": e["through_date"]}
    r["created"] = e["through_date"]
    r["enterer"] = {"reference": "Practitioner/coder-" + e["coder_id"]}
    r["insurer"] = {"display": e["payer"]}
    r["provider"] = {"reference": "Organization/npi-" + e["provider_id"]}
    info = []
    if e["discharge_status"]:
        info.append({"sequence": len(info) + 1,
                     "category": coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType",
                                        "discharge-status"),
                     "code": coding("https://www.nubc.org/CodeSystem/PatDischargeStatus", e["discharge_status"])})
    if e["drg"]:
        info.append({"sequence": len(info) + 1,
                     "category": coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType", "drg"),
                     "code": coding("https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software", e["drg"])})
    if info:
        r["supportingInfo"] = info
    r["diagnosis"] = []
    for i, l in enumerate(dx):
        d = {"sequence": int(l["seq"]),
             "diagnosisCodeableConcept": coding("http://hl7.org/fhir/sid/icd-10-cm", l["code"])}
        if i == 0 and institutional:
            d["type"] = [coding("http://terminology.hl7.org/CodeSystem/ex-diagnosistype", "principal")]
        if l["poa"]:
            d["onAdmission"] = coding("https://www.nubc.org/CodeSystem/PresentOnAdmission", l["poa"])
        r["diagnosis"].append(d)
    if pcs:
        r["procedure"] = []
        for l in pcs:
            p = {"sequence": int(l["seq"]),
                 "procedureCodeableConcept": coding("http://www.cms.gov/Medicare/Coding/ICD10", l["code"])}
            if l["service_date"]:
                p["date"] = l["service_date"]
            r["procedure"].append(p)
    r["insurance"] = [{"sequence": 1, "focal": True, "coverage": {"display": e["payer"]}}]
    if hcpcs:
        r["item"] = []
        for n, l in enumerate(hcpcs, 1):
            it = {"sequence": n,
                  "productOrService": coding(CPT if l["code"][0].isdigit() else HCPCS, l["code"])}
            mods = [m for m in l["modifiers"].split(";") if m]
            if mods:
                it["modifier"] = [coding(CPT, m) for m in mods]
            if l["service_date"]:
                it["servicedDate"] = l["service_date"]
            it["quantity"] = {"value": float(units(l))}
            it["net"] = {"value": cents(l["charge"]) / 100, "currency": "USD"}
            if not institutional:
                it["diagnosisSequence"] = [int(x["seq"]) for x in dx[:4]]
            if institutional:
                it["revenue"] = coding("https://www.nubc.org/CodeSystem/RevenueCodes", revenue(l["code"]))
            r["item"].append(it)
    total = {"value": sum(cents(l["charge"]) for l in e["lines"]) / 100, "currency": "USD"}
    if kind == "Claim":
        r["total"] = total
    else:
        r["outcome"] = "complete"
        r["total"] = [{"category": coding("http://terminology.hl7.org/CodeSystem/adjudication", "submitted"),
                       "amount": total}]
    return r


def parties(encs):
    out, seen = [], set()
    gender = {"F": "female", "M": "male", "U": "unknown"}
    for e in encs:
        for key, res in (
            ("Patient/" + e["patient_id"],
             {"resourceType": "Patient", "id": e["patient_id"],
              "identifier": [{"system": "urn:coderaudit:sample:patient", "value": e["patient_id"]}],
              "gender": gender[e["sex"]], "birthDate": e["birth_date"]}),
            ("Organization/npi-" + e["provider_id"],
             {"resourceType": "Organization", "id": "npi-" + e["provider_id"],
              "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": e["provider_id"]}],
              "name": "Sample provider"}),
            ("Practitioner/coder-" + e["coder_id"],
             {"resourceType": "Practitioner", "id": "coder-" + e["coder_id"],
              "identifier": [{"system": "urn:coderaudit:sample:coder", "value": e["coder_id"]}]})):
            if key not in seen:
                seen.add(key)
                out.append((key, res))
    return out


def write_fhir(encs, bundle_path, ndjson_path):
    entries = [{"fullUrl": "urn:coderaudit:" + k, "resource": r} for k, r in parties(encs)]
    entries += [{"fullUrl": "urn:coderaudit:Claim/" + e["encounter_id"], "resource": claim_resource(e, "Claim")}
                for e in encs]
    bundle = {"resourceType": "Bundle", "id": "same-encounters", "type": "collection", "entry": entries}
    open(bundle_path, "w").write(json.dumps(bundle, indent=2) + "\n")
    lines = [json.dumps(r, separators=(",", ":")) for _, r in parties(encs)]
    lines += [json.dumps(claim_resource(e, "ExplanationOfBenefit"), separators=(",", ":")) for e in encs]
    open(ndjson_path, "w").write("\n".join(lines) + "\n")


def us_date(iso, pad):
    y, m, d = iso.split("-")
    return ("%s/%s/%s" % (m, d, y)) if pad else ("%d/%d/%s" % (int(m), int(d), y))


def write_row_per_code(encs, path):
    cols = ["Account Number", "MRN", "Gender", "DOB", "Admit Date", "Disch Date", "Pt Type",
            "Billing NPI", "Coder", "Fin Class", "MS-DRG", "Disch Disp", "Code Type", "Seq",
            "Code", "POA", "Mod 1", "Mod 2", "Mod 3", "Units", "Svc Date", "Charge"]
    gender = {"F": "Female", "M": "Male", "U": "Unknown"}
    ptype = {"inpatient": "IP", "outpatient": "OP", "professional": "PRO"}
    ctype = {"DX": "ICD10-DX", "PCS": "ICD10-PCS", "HCPCS": "CPT/HCPCS"}
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(cols)
    for e in encs:
        for l in e["lines"]:
            mods = [m for m in l["modifiers"].split(";") if m] + ["", "", ""]
            charge = cents(l["charge"])
            w.writerow([e["encounter_id"], e["patient_id"], gender[e["sex"]], us_date(e["birth_date"], True),
                        us_date(e["from_date"], True), us_date(e["through_date"], True), ptype[e["claim_type"]],
                        e["provider_id"], e["coder_id"], e["payer"], e["drg"],
                        str(int(e["discharge_status"])) if e["discharge_status"] else "",
                        ctype[l["code_type"]], l["seq"], nodot(l["code"]), l["poa"], mods[0], mods[1],
                        mods[2], l["units"], us_date(l["service_date"], True) if l["service_date"] else "",
                        ("$" + "{:,}".format(charge // 100) + ".%02d" % (charge % 100)) if l["charge"] else ""])
    open(path, "w", newline="").write(out.getvalue())


def write_row_per_encounter(encs, path):
    ndx, npcs, ncpt = 25, 6, 10
    cols = ["Encounter", "Patient", "Sex", "Birth", "Admit", "Discharge", "Type", "Provider",
            "Coder", "Payer", "DRG", "Status"]
    cols += ["DX%d" % n for n in range(1, ndx + 1)] + ["POA%d" % n for n in range(1, ndx + 1)]
    for n in range(1, npcs + 1):
        cols += ["PROC%d" % n, "PROC%d DATE" % n]
    for n in range(1, ncpt + 1):
        cols += ["CPT%d" % n, "CPT%d MODS" % n, "CPT%d UNITS" % n, "CPT%d DATE" % n, "CPT%d CHARGE" % n]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    for e in encs:
        dx = {int(l["seq"]): l for l in e["lines"] if l["code_type"] == "DX"}
        pcs = {int(l["seq"]): l for l in e["lines"] if l["code_type"] == "PCS"}
        cpt = [l for l in e["lines"] if l["code_type"] == "HCPCS"]
        row = [e["encounter_id"], e["patient_id"], e["sex"], us_date(e["birth_date"], False),
               us_date(e["from_date"], False), us_date(e["through_date"], False), e["claim_type"],
               e["provider_id"], e["coder_id"], e["payer"], e["drg"], e["discharge_status"]]
        row += [dx[n]["code"] if n in dx else "" for n in range(1, ndx + 1)]
        row += [dx[n]["poa"] if n in dx else "" for n in range(1, ndx + 1)]
        for n in range(1, npcs + 1):
            l = pcs.get(n)
            row += [l["code"], us_date(l["service_date"], False) if l["service_date"] else ""] if l else ["", ""]
        for n in range(ncpt):
            l = cpt[n] if n < len(cpt) else None
            row += ([l["code"], l["modifiers"].replace(";", " "), l["units"],
                     us_date(l["service_date"], False) if l["service_date"] else "", l["charge"]]
                    if l else ["", "", "", "", ""])
        w.writerow(row)
    open(path, "w").write(out.getvalue())


def write_claim_json(encs, path):
    """The JSON claim model: charges of institutional claims as decimal strings, of
    professional claims as JSON numbers (both are accepted)."""
    claims = []
    for e in encs:
        c = {k: e[k] for k in HEADER[:12] if e[k] != ""}
        dx = [l for l in e["lines"] if l["code_type"] == "DX"]
        pcs = [l for l in e["lines"] if l["code_type"] == "PCS"]
        items = [l for l in e["lines"] if l["code_type"] == "HCPCS"]
        c["diagnoses"] = [dict([("code", l["code"]), ("seq", int(l["seq"]))] +
                               ([("poa", l["poa"])] if l["poa"] else [])) for l in dx]
        if pcs:
            c["procedures"] = [dict([("code", l["code"]), ("seq", int(l["seq"]))] +
                                    ([("date", l["service_date"])] if l["service_date"] else []))
                               for l in pcs]
        if items:
            lines = []
            for l in items:
                j = {"code": l["code"]}
                if l["modifiers"]:
                    j["modifiers"] = l["modifiers"].split(";")
                if l["units"]:
                    j["units"] = int(l["units"]) if l["units"].isdigit() else float(l["units"])
                if l["service_date"]:
                    j["date"] = l["service_date"]
                if l["charge"]:
                    j["charge"] = (float(l["charge"]) if e["claim_type"] == "professional"
                                   else l["charge"])
                if e["claim_type"] == "professional":
                    j["dx_pointers"] = [1]
                lines.append(j)
            c["lines"] = lines
        claims.append(c)
    open(path, "w").write(json.dumps({"claims": claims}, indent=2) + "\n")


def main():
    encs = load()
    if len(encs) != len(IDS):
        sys.exit("missing encounters in samples/encounters.csv")
    for e in encs:  # the 837P derives from/through from its line dates: keep them equal
        if e["claim_type"] == "professional":
            dates = [line_date(e, l) for l in e["lines"] if l["code_type"] == "HCPCS"]
            assert min(dates) == e["from_date"] and max(dates) == e["through_date"], e["encounter_id"]
    s = lambda *p: os.path.join(ROOT, "samples", *p)
    write_csv(encs, s("x12", "same_encounters.csv"))
    write_837p([e for e in encs if e["claim_type"] == "professional"], s("x12", "same_encounters_837p.x12"))
    write_837i([e for e in encs if e["claim_type"] != "professional"], s("x12", "same_encounters_837i.x12"))
    write_fhir(encs, s("fhir", "same_encounters.bundle.json"), s("fhir", "same_encounters.ndjson"))
    write_row_per_code(encs, s("mapping", "export_row_per_code.csv"))
    write_row_per_encounter(encs, s("mapping", "export_row_per_encounter.csv"))
    os.makedirs(s("json"), exist_ok=True)
    write_claim_json(encs, s("json", "same_encounters.json"))


if __name__ == "__main__":
    main()
