// Import / load / lookup timings for the reference store (bench/refdata/run.sh).
//   refdata_bench import DIR KIND FILE   import one table, print seconds and peak RSS
//   refdata_bench load DIR               load everything, time lookups, print peak RSS
// Each phase runs in its own process so peak RSS is the phase's own.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"
#include "audit/refdata/refdata.hpp"

namespace rd = coderaudit::refdata;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // kilobytes on Linux
}

int Import(const std::string& dir, const std::string& kind_text, const std::string& file) {
  const auto kind = rd::ParseTableKind(kind_text);
  const auto guess = kind ? rd::InferPeriod(*kind, file) : std::nullopt;
  if (!kind || !guess) {
    std::fprintf(stderr, "bad kind or file name\n");
    return 2;
  }
  const auto t0 = Clock::now();
  const auto r =
      rd::ImportTable(dir, *kind, file, guess->version, guess->period.from, guess->period.to);
  const double s = Seconds(t0);
  std::printf("import %-17s %-8s rows %9lld rejected %lld  %.2f s  peak RSS %.0f MB\n",
              kind_text.c_str(), r.table.version.c_str(), static_cast<long long>(r.table.rows),
              static_cast<long long>(r.table.rejected), s,
              static_cast<double>(PeakRssKb()) / 1024.0);
  return 0;
}

int Load(const std::string& dir) {
  const auto t0 = Clock::now();
  const auto data = rd::LoadRefData(dir);
  const double load_s = Seconds(t0);
  long long rows = 0;
  for (const auto& t : data->Tables()) rows += t.rows;
  std::printf("load   %zu tables, %lld rows  %.3f s  peak RSS %.0f MB\n", data->Tables().size(),
              rows, load_s, static_cast<double>(PeakRssKb()) / 1024.0);

  // Lookups: the practitioner PTP's column-1 codes from a spread of real codes, first
  // touch (builds the interval) and warm.
  const coderaudit::Date dos = coderaudit::DateFromCivil(2024, 8, 15);
  std::vector<coderaudit::Code> codes;
  for (const char* c : {"29881", "20610", "27447", "45378", "99213", "11010", "36415", "93000",
                        "64483", "J3301", "G0439", "97110", "0001A", "33533", "99291"})
    codes.push_back(coderaudit::Code::Of(c));
  const auto t1 = Clock::now();
  size_t pairs = 0;
  for (const auto& c : codes)
    pairs += data->PtpByColumn1(rd::PtpSetting::kPractitioner, c, dos).size();
  const double cold = Seconds(t1);
  const int kRounds = 20000;
  const auto t2 = Clock::now();
  size_t hits = 0;
  for (int i = 0; i < kRounds; ++i)
    for (size_t a = 0; a < codes.size(); ++a)
      hits += data->FindPtp(rd::PtpSetting::kPractitioner, codes[a],
                            codes[(a + static_cast<size_t>(i)) % codes.size()], dos) != nullptr;
  const double warm = Seconds(t2);
  const double per = warm / (kRounds * static_cast<double>(codes.size())) * 1e9;
  std::printf(
      "lookup first touch of %zu column-1 codes (%zu active pairs) %.3f ms; "
      "FindPtp warm %.0f ns/lookup (%zu hits)\n",
      codes.size(), pairs, cold * 1e3, per, hits);
  std::printf("peak RSS after lookups %.0f MB\n", static_cast<double>(PeakRssKb()) / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 4 && a[0] == "import") return Import(a[1], a[2], a[3]);
    if (a.size() == 2 && a[0] == "load") return Load(a[1]);
    std::fprintf(stderr, "usage: refdata_bench import DIR KIND FILE | load DIR\n");
    return 2;
  } catch (const coderaudit::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return e.ExitCode();
  }
}
