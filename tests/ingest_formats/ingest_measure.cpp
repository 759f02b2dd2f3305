// Measures streaming a file through ReadEncountersFile (not a test):
//   ingest_measure FILE [auto|csv|x12|fhir]
// Prints bytes, wall time, throughput, encounters per second and peak resident memory
// (getrusage ru_maxrss), so the numbers for a 10 MB and a 100 MB file can be compared.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "audit/ingest/any_format.hpp"
#include "audit/model/error.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ingest_measure FILE [auto|csv|x12|fhir]\n");
    return 2;
  }
  using namespace coderaudit::ingest;
  const auto format = ParseInputFormat(argc > 2 ? argv[2] : "auto");
  if (!format) return 2;
  int64_t lines = 0, rejects = 0;
  IngestSink sink;
  sink.on_encounter = [&](coderaudit::Encounter&& e) { lines += static_cast<int64_t>(e.lines.size()); };
  sink.on_reject = [&](coderaudit::Reject&&) { ++rejects; };
  const auto bytes = std::filesystem::file_size(argv[1]);
  const auto start = std::chrono::steady_clock::now();
  IngestCounts c;
  try {
    c = ReadEncountersFile(argv[1], *format, sink);
  } catch (const coderaudit::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("file %s\nbytes %llu (%.1f MB)\nencounters read %lld processed %lld rejected %lld; coded lines %lld; rejects %lld\n"
              "seconds %.2f\nthroughput %.1f MB/s, %.0f encounters/s\npeak RSS %.1f MB\n",
              argv[1], static_cast<unsigned long long>(bytes), static_cast<double>(bytes) / 1048576.0,
              static_cast<long long>(c.encounters_read), static_cast<long long>(c.encounters_processed),
              static_cast<long long>(c.encounters_rejected), static_cast<long long>(lines),
              static_cast<long long>(rejects), seconds, static_cast<double>(bytes) / 1048576.0 / seconds,
              static_cast<double>(c.encounters_read) / seconds, static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
