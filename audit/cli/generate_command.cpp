#include "audit/cli/generate_command.hpp"

#include <fstream>
#include <vector>

#include "audit/cli/args.hpp"
#include "audit/generate/claims_generator.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::cli {

namespace {
constexpr const char* kHelp = R"(usage: coderaudit generate --lines N --out FILE.csv [--seed S] [--refdata DIR]

Writes N synthetic professional claim lines (schemas/encounters-csv.md) with made-up ids
and real CPT/HCPCS codes, so NCCI PTP, MUE and add-on edits fire at realistic rates.
The same seed gives the same file. Memory stays constant whatever N.
  --lines N      data rows to write (> 0)
  --seed S       random seed (default 1)
  --refdata DIR  draw PTP pairs and MUE limits from these tables (2024Q3 practitioner)
  --out FILE     output CSV
)";
}  // namespace

bool IsGenerateCommand(const std::vector<std::string>& words) {
  return !words.empty() && words[0] == "generate";
}

int RunGenerateCommand(const std::vector<std::string>& words, std::ostream& out,
                       std::ostream& err) {
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  for (const auto& w : rest)
    if (w == "--help" || w == "-h") return out << kHelp, 0;
  try {
    Args args(rest, {"lines", "seed", "out", "refdata"}, {});
    if (!args.Positionals().empty()) throw UsageError("generate takes no positional arguments");
    generate::GenerateOptions opt;
    opt.lines = args.Int("lines", 0);
    if (opt.lines <= 0) throw UsageError("--lines must be a number > 0");
    const int64_t seed = args.Int("seed", 1);
    if (seed < 0) throw UsageError("--seed must be >= 0");
    opt.seed = static_cast<uint64_t>(seed);
    const std::string path = args.Require("out");
    if (auto dir = args.Get("refdata")) opt.tables = refdata::LoadRefData(*dir);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw InputError("cannot write " + path);
    // A large stream buffer: the generator writes many short rows.
    std::vector<char> buffer(1 << 20);
    file.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto s = generate::GenerateClaims(opt, file);
    file.flush();
    if (!file) throw SystemError("write to " + path + " failed");
    out << "wrote " << s.lines << " lines, " << s.encounters << " encounters to " << path
        << " (built to fire: " << s.ptp_claims << " PTP, " << s.mue_claims << " MUE, "
        << s.addon_claims << " add-on)\n";
    return 0;
  } catch (const UsageError& e) {
    err << "usage error: " << e.what() << "\n";
    return 2;
  } catch (const SystemError& e) {
    err << "error: " << e.what() << "\n";
    return 4;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace coderaudit::cli
