#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/error.hpp"
#include "audit/model/id_set.hpp"

using namespace coderaudit;

TEST_CASE("IdSet agrees with std::set on many ids, including near-identical ones", "[model][ids]") {
  IdSet ids;
  std::set<std::string> ref;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    // Short ids from a small alphabet collide in prefix and in the 16 hash tag bits.
    std::string id(1 + rng() % 6, 'A');
    for (auto& c : id) c = static_cast<char>('A' + rng() % 4);
    CHECK(ids.Insert(id) == ref.insert(id).second);
  }
  CHECK(ids.Size() == ref.size());
  for (const auto& id : ref) CHECK(ids.Contains(id));
  CHECK_FALSE(ids.Contains("ZZZ"));
  CHECK(ids.Insert(""));  // the empty id is an id like any other
  CHECK_FALSE(ids.Insert(""));
}

TEST_CASE("SeenIds keeps nothing while ids ascend and replays when one does not", "[model][ids]") {
  std::vector<std::string> input = {"E01", "E02", "E05", "E09"};
  int replays = 0;
  SeenIds seen([&](const SeenIds::Add& add) {
    ++replays;
    for (const auto& id : input) add(id);
  });
  for (const auto& id : input) CHECK(seen.Insert(id));
  CHECK(seen.Sorted());
  CHECK(replays == 0);
  // Out of order but new: the replay fills the set, then the id is added.
  CHECK(seen.Insert("E03"));
  CHECK_FALSE(seen.Sorted());
  CHECK(replays == 1);
  input.push_back("E03");
  CHECK_FALSE(seen.Insert("E02"));  // a repeat of an id from before the replay
  CHECK_FALSE(seen.Insert("E03"));
  CHECK(seen.Insert("E10"));
  CHECK_FALSE(seen.Insert("E10"));
  CHECK(replays == 1);
}

TEST_CASE("SeenIds refuses a replay that does not give back what was read", "[model][ids]") {
  SeenIds seen([](const SeenIds::Add& add) { add("A"); });  // the input lost "B"
  CHECK(seen.Insert("A"));
  CHECK(seen.Insert("B"));
  CHECK_THROWS_AS(seen.Insert("A"), InputError);
}

TEST_CASE("SeenIds without a replay is an exact set from the start", "[model][ids]") {
  SeenIds seen;
  CHECK_FALSE(seen.Sorted());
  CHECK(seen.Insert("B"));
  CHECK(seen.Insert("A"));
  CHECK_FALSE(seen.Insert("B"));
}

TEST_CASE("Encounter::Clear gives back a default encounter", "[model]") {
  Encounter e;
  e.id = e.patient_id = e.provider_id = e.coder_id = e.payer = "x";
  e.drg = e.discharge_status = e.source_file = e.place_of_service = "y";
  e.type_of_bill = e.claim_frequency = e.rendering_provider_id = e.attending_provider_id = "z";
  e.sex = Sex::kFemale;
  e.birth_date = Date{3};
  e.from_date = e.through_date = Date{5};
  e.claim_type = ClaimType::kInpatient;
  e.lines.resize(3);
  e.source_line = 7;
  e.source_records = 4;
  e.total_charge_cents = 9;
  e.admitting_dx = Code::Of("R10.9");
  e.visit_reason_dx = {Code::Of("R10.9")};
  e.Clear();
  const Encounter d;
  for (const auto& [got, want] : std::vector<std::pair<std::string, std::string>>{
           {e.id, d.id}, {e.patient_id, d.patient_id}, {e.provider_id, d.provider_id},
           {e.coder_id, d.coder_id}, {e.payer, d.payer}, {e.drg, d.drg},
           {e.discharge_status, d.discharge_status}, {e.source_file, d.source_file},
           {e.place_of_service, d.place_of_service}, {e.type_of_bill, d.type_of_bill},
           {e.claim_frequency, d.claim_frequency}, {e.rendering_provider_id, d.rendering_provider_id},
           {e.attending_provider_id, d.attending_provider_id}})
    CHECK(got == want);
  CHECK(e.sex == d.sex);
  CHECK(e.birth_date == d.birth_date);
  CHECK(e.from_date == d.from_date);
  CHECK(e.through_date == d.through_date);
  CHECK(e.claim_type == d.claim_type);
  CHECK(e.lines.empty());
  CHECK(e.source_line == d.source_line);
  CHECK(e.source_records == d.source_records);
  CHECK(e.total_charge_cents == d.total_charge_cents);
  CHECK(e.admitting_dx == d.admitting_dx);
  CHECK(e.visit_reason_dx.empty());
  // Every member is listed above: a new member must be added to Clear and to this test.
  CHECK(sizeof(Encounter) == sizeof(std::string) * 13 + 2 * sizeof(std::vector<CodedLine>) + 64);
}

TEST_CASE("Codes order and compare as their text does", "[model]") {
  std::vector<std::string> texts = {"A", "A0", "A00", "A000", "B", "Z99", "0", "09", "1", "99213",
                                    "9921", "E119", "E1190", "0JH60DZ", "ZZZZZZZ"};
  for (const auto& a : texts)
    for (const auto& b : texts) {
      const Code ca = Code::Of(a), cb = Code::Of(b);
      CHECK((ca < cb) == (a < b));
      CHECK((ca == cb) == (a == b));
    }
}

TEST_CASE("Swapping encounters exchanges every member", "[model]") {
  Encounter a, b;
  a.id = "A";
  a.source_file = "a.csv";
  a.lines.resize(2);
  a.admitting_dx = Code::Of("R10.9");
  a.total_charge_cents = 5;
  a.claim_type = ClaimType::kInpatient;
  b.id = "B";
  b.visit_reason_dx = {Code::Of("R51")};
  b.birth_date = Date{9};
  swap(a, b);
  CHECK(a.id == "B");
  CHECK(a.visit_reason_dx.size() == 1);
  CHECK(a.birth_date == Date{9});
  CHECK(a.lines.empty());
  CHECK(a.claim_type == ClaimType::kProfessional);
  CHECK(b.id == "A");
  CHECK(b.source_file == "a.csv");
  CHECK(b.lines.size() == 2);
  CHECK(b.admitting_dx == Code::Of("R10.9"));
  CHECK(b.total_charge_cents == 5);
  CHECK(b.claim_type == ClaimType::kInpatient);
}
