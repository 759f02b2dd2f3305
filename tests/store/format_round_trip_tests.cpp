// Encounters read from X12 837 and FHIR fixtures come back from the store unchanged, field
// by field (migration 0004 keeps the claim fields those readers fill). The fixtures: the
// repository's samples/x12 and samples/fhir files, the FHIR fuzz seed, and every X12 file
// of ../shared/data/encounters/x12 when it is there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "audit/ingest/any_format.hpp"
#include "audit/model/error.hpp"
#include "audit/store/store.hpp"
#include "tests/store/store_test_support.hpp"

using namespace coderaudit;
using test::CheckRun;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

// The encounters a file gives (the first of each id: a run stores an id once, the engine
// rejects later copies); nothing when the file is not in a format the readers take.
std::vector<Encounter> Read(const std::string& path) {
  std::vector<Encounter> out;
  std::set<std::string> ids;
  ingest::IngestSink sink;
  sink.on_encounter = [&](Encounter&& e) {
    if (ids.insert(e.id).second) out.push_back(std::move(e));
  };
  sink.on_reject = [](Reject&&) {};
  sink.on_warning = [](const std::string&) {};
  try {
    ingest::ReadEncountersFile(path, ingest::InputFormat::kAuto, sink);
  } catch (const InputError&) {
    return {};  // not X12 / FHIR / CSV at all (an 835, a bare fragment)
  }
  return out;
}

struct Fixture {
  std::string path;
  bool in_repo;  // always there (the fields these must cover are checked)
};

std::vector<Fixture> Fixtures() {
  const std::string src = CODERAUDIT_SOURCE_DIR;
  std::vector<Fixture> files;
  for (const char* f : {"/samples/x12/same_encounters_837p.x12", "/samples/x12/same_encounters_837i.x12",
                        "/samples/x12/features_837i.x12", "/samples/fhir/same_encounters.bundle.json",
                        "/samples/fhir/same_encounters.ndjson", "/fuzz/seeds/fhir/small_bundle.json"})
    files.push_back({src + f, true});
  const fs::path shared = fs::path(src) / ".." / "shared" / "data" / "encounters" / "x12";
  if (fs::is_directory(shared)) {
    std::vector<std::string> more;
    for (const auto& f : fs::recursive_directory_iterator(shared))
      if (f.is_regular_file() && f.path().filename() != "LICENSE") more.push_back(f.path().string());
    std::sort(more.begin(), more.end());
    for (auto& f : more) files.push_back({std::move(f), false});
  } else {
    WARN("../shared/data/encounters/x12 not found: only the repository's fixtures are used");
  }
  return files;
}

// Which claim fields the fixtures exercise, so a gap in them is visible.
struct Coverage {
  std::map<std::string, int> seen;
  void Add(const Encounter& e) {
    seen["place_of_service"] += !e.place_of_service.empty();
    seen["type_of_bill"] += !e.type_of_bill.empty();
    seen["claim_frequency"] += !e.claim_frequency.empty();
    seen["total_charge_cents"] += e.total_charge_cents != 0;
    seen["rendering_provider_id"] += !e.rendering_provider_id.empty();
    seen["attending_provider_id"] += !e.attending_provider_id.empty();
    seen["admitting_dx"] += !e.admitting_dx.Empty();
    seen["visit_reason_dx"] += !e.visit_reason_dx.empty();
    for (const auto& l : e.lines) {
      seen["line code_system ICD9"] += l.code_system == CodeSystem::kIcd9;
      seen["line code_system OTHER"] += l.code_system == CodeSystem::kOther;
      seen["line revenue_code"] += !l.revenue_code.Empty();
      seen["line place_of_service"] += !l.place_of_service.Empty();
      seen["line dx_pointers"] += l.dx_pointers[0] != 0;
    }
  }
};
}  // namespace

TEST_CASE("Encounters read from X12 and FHIR fixtures round-trip through the store unchanged",
          "[store][formats]") {
  STORE_OR_SKIP(t);
  store::Store s(t.db);
  Coverage in_repo, all;
  size_t repo_encounters = 0;
  for (const auto& [file, repo] : Fixtures()) {
    INFO(file);
    const auto read = Read(file);
    if (read.empty()) continue;
    auto w = s.BeginRun(CheckRun());
    for (const auto& e : read) w->AddEncounter(e);
    w->Commit(CheckRun());
    const int64_t run = w->RunId();
    for (const auto& e : read) {
      all.Add(e);
      if (repo) in_repo.Add(e);
      auto got = s.LoadEncounter(run, e.id);
      REQUIRE(got);
      test::CheckSameEncounter(e, *got);
    }
    std::map<std::string, const Encounter*> by_id;
    for (const auto& e : read) by_id[e.id] = &e;
    size_t streamed = 0;
    s.ForEachEncounter(run, [&](Encounter&& got) {
      ++streamed;
      REQUIRE(by_id.count(got.id));
      test::CheckSameEncounter(*by_id[got.id], got);
    });
    CHECK(streamed == read.size());
    if (repo) repo_encounters += read.size();
  }
  for (const auto& [field, n] : all.seen)
    UNSCOPED_INFO(field << ": " << n << " in all fixtures, " << in_repo.seen[field] << " in the repository's");
  CHECK(repo_encounters >= 10);
  // The repository's own fixtures set each of these; FullEncounter() in
  // claim_fields_tests.cpp sets every field whatever the fixtures hold.
  for (const char* field :
       {"place_of_service", "type_of_bill", "claim_frequency", "total_charge_cents",
        "rendering_provider_id", "attending_provider_id", "admitting_dx", "visit_reason_dx",
        "line code_system ICD9", "line revenue_code", "line place_of_service", "line dx_pointers"})
    CHECK(in_repo.seen[field] > 0);
}
