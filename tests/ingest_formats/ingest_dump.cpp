// Prints what a reader makes of a file: every encounter field by field, every reject and
// the counts. A development and documentation aid (the by-hand checks in the tests were
// made against its output and the raw files), not a test.
#include <cstdio>
#include <iostream>
#include <string>

#include "audit/ingest/any_format.hpp"
#include "audit/ingest/x12/x12_837.hpp"
#include "audit/model/error.hpp"

namespace {

void Print(const coderaudit::Encounter& e) {
  using coderaudit::ToIso;
  std::cout << "ENCOUNTER " << e.id << " patient=" << e.patient_id << " sex=" << ToString(e.sex)
            << " birth=" << (e.birth_date ? ToIso(*e.birth_date) : "-") << " from=" << ToIso(e.from_date)
            << " through=" << ToIso(e.through_date) << " type=" << ToString(e.claim_type)
            << " provider=" << e.provider_id << " coder=" << e.coder_id << " payer=" << e.payer
            << " drg=" << e.drg << " status=" << e.discharge_status << " pos=" << e.place_of_service
            << " tob=" << e.type_of_bill << " freq=" << e.claim_frequency
            << " total=" << e.total_charge_cents << " rendering=" << e.rendering_provider_id
            << " attending=" << e.attending_provider_id << " admitting=" << e.admitting_dx.View()
            << " reason=";
  for (const auto& c : e.visit_reason_dx) std::cout << c.View() << ";";
  std::cout << " src=" << e.source_line << "\n";
  for (const auto& l : e.lines) {
    std::cout << "  " << ToString(l.type) << " seq=" << l.seq << " code=" << l.code.View()
              << " sys=" << ToString(l.code_system) << " poa=" << l.poa << " mods=" << l.modifiers.Str()
              << " units=" << l.units
              << " date=" << (l.service_date ? ToIso(*l.service_date) : "-") << " charge=" << l.charge_cents
              << " rev=" << l.revenue_code.View() << " pos=" << l.place_of_service.View() << " ptr=";
    for (auto p : l.dx_pointers)
      if (p) std::cout << int(p) << ",";
    std::cout << " src=" << l.source_line << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ingest_dump FILE [auto|csv|x12|fhir] [MAPPING]\n";
    return 2;
  }
  using namespace coderaudit::ingest;
  InputFormat format = InputFormat::kAuto;
  const std::string f = argc > 2 ? argv[2] : "auto";
  if (f == "csv") format = InputFormat::kCsv;
  if (f == "x12") format = InputFormat::kX12;
  if (f == "fhir") format = InputFormat::kFhir;
  IngestSink sink;
  sink.on_encounter = [](coderaudit::Encounter&& e) { Print(e); };
  sink.on_reject = [](coderaudit::Reject&& r) {
    std::cout << "REJECT line=" << r.line << " field=" << r.field << " reason=" << r.reason << "\n";
  };
  sink.on_warning = [](const std::string& w) { std::cout << "WARNING " << w << "\n"; };
  try {
    // "x12-lenient": X12 with trailer counts not verified (X12Options::verify_counts).
    auto c = f == "x12-lenient" ? ReadX12File(argv[1], sink, X12Options{false})
                                : ReadEncountersFile(argv[1], format, sink, argc > 3 ? argv[3] : "");
    std::cout << "COUNTS records " << c.records_read << " = " << c.records_processed << " + "
              << c.records_rejected << "; encounters " << c.encounters_read << " = "
              << c.encounters_processed << " + " << c.encounters_rejected << "\n";
  } catch (const coderaudit::Error& e) {
    std::cout << "ERROR " << e.what() << "\n";
    return 3;
  }
  return 0;
}
