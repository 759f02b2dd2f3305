#pragma once
// Shared by the store tests: a temporary directory, a check run's info, and every stored
// field of an encounter and its lines compared one by one (Catch2 CHECKs). source_file and
// source_records are ingest bookkeeping the store does not keep (a run records its input
// files in run_inputs); they are not compared.
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <filesystem>

#include "audit/model/encounter.hpp"
#include "audit/runs/accuracy_report.hpp"
#include "tests/ingest_formats/same_fields.hpp"

namespace coderaudit::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/coderaudit-store-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline runs::RunInfo CheckRun() {
  runs::RunInfo i;
  i.kind = "check";
  i.started_at = "2026-01-02T03:04:05Z";
  i.finished_at = "2026-01-02T03:04:06Z";
  i.tool_version = "test";
  i.rule_set_name = "rs";
  return i;
}

inline void CheckSameLine(const CodedLine& want, const CodedLine& got) {
  CHECK(got.type == want.type);
  CHECK(got.seq == want.seq);
  CHECK(got.code == want.code);
  CHECK(got.poa == want.poa);
  CHECK(got.modifiers == want.modifiers);
  CHECK(got.units == want.units);
  CHECK(got.service_date == want.service_date);
  CHECK(got.charge_cents == want.charge_cents);
  CHECK(got.source_line == want.source_line);
  CHECK(got.code_system == want.code_system);
  CHECK(got.revenue_code == want.revenue_code);
  CHECK(got.place_of_service == want.place_of_service);
  CHECK(got.dx_pointers == want.dx_pointers);
}

inline void CheckSameEncounter(const Encounter& want, const Encounter& got) {
  INFO("encounter " << want.id);
  CheckSameHeader(want, got, true);
  CHECK(got.source_line == want.source_line);
  CHECK(got.place_of_service == want.place_of_service);
  CHECK(got.type_of_bill == want.type_of_bill);
  CHECK(got.claim_frequency == want.claim_frequency);
  CHECK(got.total_charge_cents == want.total_charge_cents);
  CHECK(got.rendering_provider_id == want.rendering_provider_id);
  CHECK(got.attending_provider_id == want.attending_provider_id);
  CHECK(got.admitting_dx == want.admitting_dx);
  CHECK(got.visit_reason_dx == want.visit_reason_dx);
  REQUIRE(got.lines.size() == want.lines.size());
  for (size_t i = 0; i < want.lines.size(); ++i) {
    INFO("line " << i + 1);
    CheckSameLine(want.lines[i], got.lines[i]);
  }
}

}  // namespace coderaudit::test
