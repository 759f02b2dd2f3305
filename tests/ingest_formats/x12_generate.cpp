// Writes a large synthetic 005010X222A1 837P for streaming measurements (not a test):
//   x12_generate OUT.x12 MEGABYTES [CLAIMS_PER_TRANSACTION]
// One interchange and one functional group; transaction sets of at most 5000 claims
// (the implementation guide's recommended limit), each with one billing provider and a
// subscriber loop per claim; every claim has 4 diagnoses and 3 service lines. Codes come
// from small real lists, picked by a fixed linear congruential generator, so the output
// is the same on every run. All identifiers are synthetic. The segments are written by
// the generator's 837 writer (audit/generate/x12_writer.hpp, also behind
// `coderaudit generate --format x12`, whose claims mix 837P and 837I).
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "audit/generate/x12_writer.hpp"
#include "audit/model/date.hpp"

namespace {

constexpr std::array<const char*, 8> kDx = {"M1711", "E119", "I10", "J45909", "N1831", "K219", "R051", "Z7901"};
constexpr std::array<const char*, 8> kCpt = {"99213", "99214", "20610", "J3301", "96372", "71046", "93000", "36415"};
constexpr std::array<const char*, 5> kMod = {"", "25", "RT", "LT", "59"};

struct Lcg {
  uint64_t state = 20261123;
  uint32_t Next(uint32_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>((state >> 33) % n);
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace coderaudit;
  if (argc < 3) {
    std::fprintf(stderr, "usage: x12_generate OUT.x12 MEGABYTES [CLAIMS_PER_TRANSACTION]\n");
    return 2;
  }
  const double megabytes = std::atof(argv[2]);
  const long per_txn = argc > 3 ? std::atol(argv[3]) : 5000;
  const auto target = static_cast<uint64_t>(megabytes * 1024 * 1024);
  std::ofstream out(argv[1], std::ios::binary);
  if (!out || per_txn < 1) return 2;
  Lcg rng;
  generate::X12Writer writer(out, per_txn);
  writer.BeginGroup(generate::X12Kind::kProfessional);
  generate::SyntheticClaim c;
  c.payer = "SYNTHETIC PAYER";
  c.provider_id = "9999999991";
  while (writer.Bytes() < target) {
    char id[32], member[32];
    std::snprintf(id, sizeof id, "GEN%09lld", static_cast<long long>(writer.Claims() + 1));
    std::snprintf(member, sizeof member, "M%08u", rng.Next(90000000));
    c.id = id;
    c.patient_id = member;
    const Date date = DateFromCivil(2024, 1 + rng.Next(12), 1 + rng.Next(28));
    c.birth = DateFromCivil(1930 + static_cast<int>(rng.Next(70)), 1 + rng.Next(12), 1 + rng.Next(28));
    c.sex = rng.Next(2) ? 'F' : 'M';
    c.from = c.through = date;
    c.lines.clear();
    for (uint16_t d = 0; d < 4; ++d) {
      generate::SyntheticLine l;
      l.seq = static_cast<uint16_t>(d + 1);
      l.code = *Code::Parse(kDx[(rng.Next(8) + d) % 8]);
      c.lines.push_back(l);
    }
    for (int k = 0; k < 3; ++k) {
      generate::SyntheticLine l;
      l.kind = generate::LineKind::kHcpcs;
      l.modifiers = kMod[rng.Next(5)];
      l.code = *Code::Parse(kCpt[rng.Next(8)]);
      l.units = 1 + rng.Next(3);
      l.date = date;
      l.charge_cents = 10000;
      c.lines.push_back(l);
    }
    writer.Write(c);
  }
  writer.Finish();
  std::printf("%s: %.1f MB, %lld claims\n", argv[1], static_cast<double>(writer.Bytes()) / 1048576.0,
              static_cast<long long>(writer.Claims()));
  return out ? 0 : 1;
}
