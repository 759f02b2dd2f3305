// Benchmark: writes a large synthetic accuracy workbook and prints the time taken.
//   bench_workbook OUT.xlsx [--coders N] [--encounters N] [--diffs N] [--in-memory]
//                  [--no-write]
// Defaults: 1,000 coders x 100 encounters x 8 diffs (800,000 diff rows), one finding
// per 10 encounters. Run it under `/usr/bin/time -v` for peak RSS. Synthetic data only.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "audit/model/error.hpp"
#include "audit/qa/score.hpp"
#include "reports/xlsx/accuracy_workbook.hpp"

namespace {

using coderaudit::qa::CodeDiff;
using coderaudit::qa::ItemType;
using coderaudit::qa::Outcome;

// splitmix64: a fixed, portable sequence so every run writes the same workbook.
uint64_t Next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

coderaudit::runs::AccuracyReport MakeReport(uint32_t coders, uint32_t encounters,
                                               uint32_t diffs_per_encounter) {
  coderaudit::runs::AccuracyReport r;
  r.run.run_id = 2;
  r.run.kind = "score";
  r.run.parent_run_id = 1;
  r.run.started_at = "2026-01-15T09:30:00Z";
  r.run.finished_at = "2026-01-15T09:31:00Z";
  r.run.tool_version = "bench";
  r.check_run.run_id = 1;
  r.check_run.kind = "check";
  r.check_run.started_at = "2026-01-15T09:00:00Z";
  uint64_t rng = 42;
  char buffer[64];
  for (uint32_t c = 0; c < coders; ++c) {
    std::snprintf(buffer, sizeof buffer, "C%05u", c + 1);
    const std::string coder = buffer;
    for (uint32_t e = 0; e < encounters; ++e) {
      std::snprintf(buffer, sizeof buffer, "E%05u-%04u", c + 1, e + 1);
      const std::string encounter = buffer;
      // Spread over 2024 so the Trend sheet has four quarters per coder.
      const auto service = coderaudit::DateFromCivil(2024, 1 + e % 12, 1 + e % 28);
      const auto claim = static_cast<coderaudit::ClaimType>(e % 3);
      for (uint32_t k = 0; k < diffs_per_encounter; ++k) {
        CodeDiff d;
        d.encounter_id = encounter;
        d.coder_id = coder;
        d.auditor_id = (c % 7 == 0) ? "A02" : "A01";
        d.code_type = k < 5 ? ItemType::kDx : ItemType::kHcpcs;
        d.line = k + 1;
        d.ref = static_cast<uint32_t>(r.diffs.size() + 1);
        d.claim_type = claim;
        d.service_date = service;
        // ~94% matches, errors spread over the other outcomes.
        const uint64_t roll = Next(rng) % 100;
        d.outcome = roll < 94 ? Outcome::kMatch : static_cast<Outcome>(1 + roll % 7);
        if (d.outcome != Outcome::kMatch) {
          d.direction = static_cast<coderaudit::qa::Direction>(roll % 3);
          d.reason = "SPEC";
          d.comment = "documentation supports a more specific code";
          if (d.code_type == ItemType::kHcpcs) d.amount_cents = static_cast<int64_t>(Next(rng) % 20000) - 5000;
          if (roll % 5 == 0) d.rebuttal = coderaudit::qa::Rebuttal::kDisagree;
        }
        if (d.outcome == Outcome::kPoa) d.code_type = ItemType::kDx;
        std::snprintf(buffer, sizeof buffer, "E11.%u", static_cast<unsigned>(Next(rng) % 10));
        d.coder_code = d.outcome == Outcome::kOmitted ? "" : buffer;
        d.auditor_code = d.outcome == Outcome::kAdded ? "" : buffer;
        if (d.outcome == Outcome::kOmitted) d.line = 0;
        if (d.outcome == Outcome::kUnits) d.detail = "units 2 -> 1";
        r.diffs.push_back(std::move(d));
      }
      if (e % 10 == 0) {
        coderaudit::runs::FindingRow f;
        f.coder_id = coder;
        f.provider_id = "P01";
        f.finding.rule_id = "MCE-DUP-PDX";
        f.finding.rule_version = "1";
        f.finding.category = "mce";
        f.finding.citation = "MCE v41 duplicate of principal diagnosis";
        f.finding.encounter_id = encounter;
        f.finding.lines = {1, 3};
        f.finding.values = {{"code", "E119"}};
        f.finding.message = "Secondary diagnosis E11.9 duplicates the principal diagnosis";
        r.findings.push_back(std::move(f));
      }
    }
  }
  r.coders = coderaudit::qa::ScoreCoders(r.diffs, r.benchmark);
  r.auditors = coderaudit::qa::ReviewAuditors(r.diffs, r.policy);
  coderaudit::qa::ScoreBook trend(coderaudit::qa::Period::kQuarter);
  trend.Add(r.diffs, r.policy);
  r.trend = trend.Finish(r.policy, r.benchmark);
  r.trend_period = "quarter";
  r.trend_runs = {2};
  return r;
}

uint32_t Arg(int argc, char** argv, std::string_view name, uint32_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
  return fallback;
}

bool Flag(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == name) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr,
                 "usage: bench_workbook OUT.xlsx [--coders N] [--encounters N] [--diffs N] "
                 "[--in-memory] [--no-write]\n");
    return 2;
  }
  try {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const auto report = MakeReport(Arg(argc, argv, "--coders", 1000),
                                   Arg(argc, argv, "--encounters", 100),
                                   Arg(argc, argv, "--diffs", 8));
    const auto t1 = Clock::now();
    coderaudit::reports::AccuracyWorkbookOptions options;
    options.constant_memory = !Flag(argc, argv, "--in-memory");
    // --no-write: build the report only, to separate its memory from the writer's.
    if (!Flag(argc, argv, "--no-write"))
      coderaudit::reports::WriteAccuracyWorkbook(report, argv[1], options);
    const auto t2 = Clock::now();
    const auto ms = [](auto d) {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    std::printf("coders=%zu diffs=%zu findings=%zu constant_memory=%d build_ms=%lld "
                "write_ms=%lld\n",
                report.coders.size(), report.diffs.size(), report.findings.size(),
                options.constant_memory ? 1 : 0, ms(t1 - t0), ms(t2 - t1));
    return 0;
  } catch (const coderaudit::Error& e) {
    std::fprintf(stderr, "bench_workbook: %s\n", e.what());
    return e.ExitCode();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_workbook: %s\n", e.what());
    return 1;
  }
}
