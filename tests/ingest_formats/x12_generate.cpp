// Writes a large synthetic 005010X222A1 837P for streaming measurements (not a test):
//   x12_generate OUT.x12 MEGABYTES [CLAIMS_PER_TRANSACTION]
// One interchange and one functional group; transaction sets of at most 5000 claims
// (the implementation guide's recommended limit), each with one billing provider and a
// subscriber loop per claim; every claim has 4 diagnoses and 3 service lines. Codes come
// from small real lists, picked by a fixed linear congruential generator, so the output
// is the same on every run. All identifiers are synthetic.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

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
  uint64_t bytes = 0, claims = 0;
  int transactions = 0;
  std::string seg;
  auto put = [&](const std::string& s) {
    out << s << "~\n";
    bytes += s.size() + 2;
  };
  put("ISA*00*          *00*          *ZZ*GENERATOR      *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:");
  put("GS*HC*GENERATOR*RECEIVER*20240101*1200*1*X*005010X222A1");
  while (bytes < target) {
    ++transactions;
    char control[16];
    std::snprintf(control, sizeof control, "%04d", transactions);
    long segments = 0;
    auto put_st = [&](const std::string& s) {
      put(s);
      ++segments;
    };
    put_st(std::string("ST*837*") + control + "*005010X222A1");
    put_st(std::string("BHT*0019*00*GEN") + control + "*20240101*1200*CH");
    put_st("NM1*41*2*GENERATOR*****46*GEN01");
    put_st("PER*IC*CONTACT*TE*5555550100");
    put_st("NM1*40*2*RECEIVER*****46*RCV01");
    put_st("HL*1**20*1");
    put_st("NM1*85*2*SYNTHETIC CLINIC*****XX*9999999991");
    put_st("N3*1 SAMPLE WAY");
    put_st("N4*ANYTOWN*PA*171110000");
    put_st("REF*EI*999999999");
    long hl = 1;
    for (long k = 0; k < per_txn && bytes < target; ++k) {
      ++claims;
      char id[32], member[32], date[16], birth[16];
      std::snprintf(id, sizeof id, "GEN%09llu", static_cast<unsigned long long>(claims));
      std::snprintf(member, sizeof member, "M%08u", rng.Next(90000000));
      std::snprintf(date, sizeof date, "2024%02u%02u", 1 + rng.Next(12), 1 + rng.Next(28));
      std::snprintf(birth, sizeof birth, "19%02u%02u%02u", 30 + rng.Next(70), 1 + rng.Next(12), 1 + rng.Next(28));
      ++hl;
      put_st("HL*" + std::to_string(hl) + "*1*22*0");
      put_st("SBR*P*18*******CI");
      put_st(std::string("NM1*IL*1*PATIENT*SYNTHETIC****MI*") + member);
      put_st("N3*2 SAMPLE ROAD");
      put_st("N4*ANYTOWN*PA*171110000");
      put_st(std::string("DMG*D8*") + birth + (rng.Next(2) ? "*F" : "*M"));
      put_st("NM1*PR*2*SYNTHETIC PAYER*****PI*PAYER01");
      put_st(std::string("CLM*") + id + "*300.00***11:B:1*Y*A*Y*Y");
      seg = "HI";
      for (int d = 0; d < 4; ++d) seg += std::string(d ? "*ABF:" : "*ABK:") + kDx[(rng.Next(8) + static_cast<uint32_t>(d)) % 8];
      put_st(seg);
      put_st("NM1*82*1*RENDERING*DOCTOR****XX*9999999992");
      for (int l = 1; l <= 3; ++l) {
        put_st("LX*" + std::to_string(l));
        const char* mod = kMod[rng.Next(5)];
        put_st(std::string("SV1*HC:") + kCpt[rng.Next(8)] + (*mod ? std::string(":") + mod : "") +
               "*100.00*UN*" + std::to_string(1 + rng.Next(3)) + "***1:2:3:4");
        put_st(std::string("DTP*472*D8*") + date);
      }
    }
    ++segments;
    put("SE*" + std::to_string(segments) + "*" + control);
  }
  put("GE*" + std::to_string(transactions) + "*1");
  put("IEA*1*000000001");
  std::printf("%s: %.1f MB, %llu claims, %d transaction sets\n", argv[1], static_cast<double>(bytes) / 1048576.0,
              static_cast<unsigned long long>(claims), transactions);
  return out ? 0 : 1;
}
