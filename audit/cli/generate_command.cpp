#include "audit/cli/commands.hpp"

#include <fstream>
#include <vector>

#include "audit/cli/args.hpp"
#include "audit/generate/claims_generator.hpp"
#include "audit/io/output_file.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::cli {

namespace {
constexpr const char* kHelp = R"(usage: coderaudit generate --lines N --out FILE [--seed S] [--format csv|x12] [--refdata DIR]

Writes N synthetic coded lines with made-up ids and real codes: about 95% professional
claims (CPT/HCPCS, so NCCI PTP, MUE and add-on edits fire at realistic rates) and 5%
inpatient stays (principal and secondary diagnoses with POA, ICD-10-PCS procedures,
MS-DRG, discharge status; a few with an error the MCE or ICD-10-CM conventions packs
catch). The same seed gives the same file; CSV and X12 of one seed hold the same
encounters. Memory stays constant whatever N.
  --lines N              coded lines to write (> 0): CSV data rows
  --seed S               random seed (default 1)
  --format csv|x12       encounter CSV (schemas/encounters-csv.md, default) or one X12
                         interchange: 837P (005010X222A1) for professional claims,
                         837I (005010X223A2) for inpatient ones
  --refdata DIR          draw PTP pairs and MUE limits from these tables (2024Q3
                         practitioner), diagnoses and procedures from its ICD-10-CM /
                         ICD-10-PCS order files (Zipf-like frequencies), and keep MCE-
                         listed codes out of the ordinary draws
  --inpatient-percent P  share of claims that are inpatient stays (default 5)
  --out FILE             output file
)";

int Generate(const Args& args, std::ostream& out, std::ostream&) {
  {
    if (!args.Positionals().empty()) throw UsageError("generate takes no positional arguments");
    generate::GenerateOptions opt;
    opt.lines = args.Int("lines", 0);
    if (opt.lines <= 0) throw UsageError("--lines must be a number > 0");
    const int64_t seed = args.Int("seed", 1);
    if (seed < 0) throw UsageError("--seed must be >= 0");
    opt.seed = static_cast<uint64_t>(seed);
    const std::string path = args.Require("out");
    const std::string format = args.Get("format").value_or("csv");
    if (format == "x12")
      opt.format = generate::OutputFormat::kX12;
    else if (format != "csv")
      throw UsageError("--format must be csv or x12");
    const int64_t inpatient = args.Int("inpatient-percent", 5);
    if (inpatient < 0 || inpatient > 100) throw UsageError("--inpatient-percent must be 0-100");
    opt.inpatient_percent = static_cast<unsigned>(inpatient);
    if (auto dir = args.Get("refdata")) {
      opt.tables = refdata::LoadRefData(*dir);
      opt.refdata_dir = *dir;
    }
    io::OutputFile output(path, "generated claims");
    std::ofstream file(output.Path(), std::ios::binary | std::ios::trunc);
    if (!file) throw InputError("cannot write " + path);
    // A large stream buffer: the generator writes many short rows.
    std::vector<char> buffer(1 << 20);
    file.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto s = generate::GenerateClaims(opt, file);
    file.close();
    if (!file) throw SystemError("write to " + path + " failed");
    output.Commit();
    out << "wrote " << s.lines << " lines, " << s.encounters << " encounters to " << path
        << " (built to fire: " << s.ptp_claims << " PTP, " << s.mue_claims << " MUE, "
        << s.addon_claims << " add-on, " << s.mce_claims << " MCE, " << s.convention_claims
        << " ICD-10-CM conventions; " << s.inpatient << " inpatient)\n"
        << "  diagnoses from " << s.dx_source << "; procedures from " << s.pcs_source << "\n";
    return 0;
  }
}

}  // namespace

std::vector<Command> GenerateCommands() {
  return {{{"generate"}, kHelp, {"lines", "seed", "out", "refdata", "format", "inpatient-percent"}, {},
           Generate}};
}

}  // namespace coderaudit::cli
