#pragma once
// The same claim read from two formats (CSV and X12/FHIR): every field the CSV layout
// carries, line by line (Catch2 CHECKs). coder_id only when both formats have one (X12
// and FHIR put a documented placeholder there).
#include <catch2/catch.hpp>

#include "audit/model/encounter.hpp"

namespace coderaudit::test {

// The claim header fields of the CSV layout.
inline void CheckSameHeader(const Encounter& want, const Encounter& got, bool compare_coder) {
  CHECK(got.id == want.id);
  CHECK(got.patient_id == want.patient_id);
  CHECK(got.sex == want.sex);
  CHECK(got.birth_date == want.birth_date);
  CHECK(got.from_date == want.from_date);
  CHECK(got.through_date == want.through_date);
  CHECK(got.claim_type == want.claim_type);
  CHECK(got.provider_id == want.provider_id);
  if (compare_coder) CHECK(got.coder_id == want.coder_id);
  CHECK(got.payer == want.payer);
  CHECK(got.drg == want.drg);
  CHECK(got.discharge_status == want.discharge_status);
}

inline void CheckSameCsvFields(const Encounter& want, const Encounter& got, bool compare_coder) {
  INFO("encounter " << want.id);
  CheckSameHeader(want, got, compare_coder);
  REQUIRE(got.lines.size() == want.lines.size());
  for (size_t i = 0; i < want.lines.size(); ++i) {
    INFO("line " << i + 1);
    const CodedLine& a = want.lines[i];
    const CodedLine& b = got.lines[i];
    CHECK(b.type == a.type);
    if (a.type != CodeType::kHcpcs) CHECK(b.seq == a.seq);
    CHECK(b.code == a.code);
    CHECK(b.code_system == a.code_system);
    CHECK(b.poa == a.poa);
    CHECK(b.modifiers == a.modifiers);
    CHECK(b.units == a.units);
    // An 837P line always states its date; the CSV may leave it to default to from_date.
    CHECK(got.DateOfService(b) == want.DateOfService(a));
    if (a.type != CodeType::kHcpcs) CHECK(b.service_date == a.service_date);
    CHECK(b.charge_cents == a.charge_cents);
  }
}

}  // namespace coderaudit::test
