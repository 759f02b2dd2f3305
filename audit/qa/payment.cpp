#include "audit/qa/payment.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "audit/io/csv_reader.hpp"
#include "audit/io/hashed_file.hpp"
#include "audit/ingest/csv/encounter_csv.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::qa {

std::string_view ToString(Severity s) {
  switch (s) {
    case Severity::kNone: return "";
    case Severity::kCc: return "CC";
    case Severity::kMcc: return "MCC";
  }
  return "";
}

void ChargeReference::Add(ClaimType claim_type, const Code& code, double units,
                          int64_t charge_cents) {
  if (charge_cents <= 0 || !(units > 0)) return;
  const auto per_unit = static_cast<int64_t>(std::llround(static_cast<double>(charge_cents) / units));
  counts_[Key{claim_type, code}][per_unit]++;
}

void ChargeReference::AddCount(ClaimType claim_type, const Code& code, int64_t per_unit_cents,
                               int64_t lines) {
  if (per_unit_cents <= 0 || lines <= 0) return;
  counts_[Key{claim_type, code}][per_unit_cents] += lines;
}

std::optional<int64_t> ChargeReference::PerUnit(ClaimType claim_type, const Code& code) const {
  const auto it = counts_.find(Key{claim_type, code});
  if (it == counts_.end()) return std::nullopt;
  // Most frequent per-unit charge; the map is ordered, so ties keep the lower amount.
  int64_t best = 0, best_count = 0;
  for (const auto& [cents, n] : it->second)
    if (n > best_count) best = cents, best_count = n;
  return best;
}

void PaymentContext::SetDrgWeights(std::map<std::string, double> weights, double base_rate) {
  weights_.clear();
  for (auto& [drg, w] : weights) weights_.emplace(drg, w);
  base_rate_ = base_rate;
}

std::optional<double> PaymentContext::DrgWeight(std::string_view drg) const {
  const auto it = weights_.find(drg);
  if (it == weights_.end()) return std::nullopt;
  return it->second;
}

Severity PaymentContext::SeverityOf(const Code& code) const {
  const auto it = severity_.find(code);
  return it == severity_.end() ? Severity::kNone : it->second;
}

namespace {

// Reads a small reference CSV with a header naming at least `required` columns and
// hands each data row to `row` (fields by column index). Errors name file:line.
template <typename RowFn>
void ReadTable(std::istream& in, const std::string& file,
               const std::vector<std::string_view>& required, RowFn row) {
  io::CsvReader reader(in);
  io::CsvRecord rec;
  if (!reader.Next(rec) || !rec.error.empty())
    throw InputError(file + ": missing or unreadable header row");
  std::vector<int> index(required.size(), -1);
  for (size_t i = 0; i < rec.fields.size(); ++i)
    for (size_t c = 0; c < required.size(); ++c)
      if (rec.fields[i] == required[c]) index[c] = static_cast<int>(i);
  for (size_t c = 0; c < required.size(); ++c)
    if (index[c] < 0)
      throw InputError(file + ":1: required column '" + std::string(required[c]) +
                       "' is missing (see schemas/payment-csv.md)");
  const size_t width = rec.fields.size();
  while (reader.Next(rec)) {
    if (!rec.error.empty()) throw InputError(file + ":" + std::to_string(rec.line) + ": " + rec.error);
    if (rec.fields.size() != width)
      throw InputError(file + ":" + std::to_string(rec.line) + ": has " +
                       std::to_string(rec.fields.size()) + " fields, the header has " +
                       std::to_string(width));
    std::vector<std::string_view> f;
    for (int i : index) f.push_back(rec.fields[static_cast<size_t>(i)]);
    row(rec.line, f);
  }
}

[[noreturn]] void Bad(const std::string& file, uint32_t line, std::string_view field,
                      std::string_view why) {
  throw InputError(file + ":" + std::to_string(line) + ": " + std::string(field) + ": " +
                   std::string(why));
}

bool IsDrg(std::string_view s) {
  return s.size() == 3 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2]));
}

}  // namespace

std::map<std::string, double> ReadDrgWeightsCsv(std::istream& in, const std::string& file) {
  std::map<std::string, double> out;
  ReadTable(in, file, {"drg", "weight"}, [&](uint32_t line, const std::vector<std::string_view>& f) {
    if (!IsDrg(f[0])) Bad(file, line, "drg", "must be 3 digits");
    double w = 0;
    auto [p, ec] = std::from_chars(f[1].data(), f[1].data() + f[1].size(), w);
    if (ec != std::errc() || p != f[1].data() + f[1].size() || !(w > 0) || w > 100)
      Bad(file, line, "weight", "must be a number greater than 0 and at most 100");
    if (!out.emplace(std::string(f[0]), w).second) Bad(file, line, "drg", "is listed twice");
  });
  if (out.empty()) throw InputError(file + ": no DRG weights");
  return out;
}

std::map<std::string, double> ReadDrgWeightsFile(const std::string& path, FileDigest* digest) {
  io::HashedFile file(path, "DRG weights file");
  auto out = ReadDrgWeightsCsv(file.Stream(), path);
  const FileDigest read = file.Finish();
  if (digest) *digest = read;
  return out;
}

std::unordered_map<Code, Severity> ReadSeverityCsv(std::istream& in, const std::string& file) {
  std::unordered_map<Code, Severity> out;
  ReadTable(in, file, {"code", "level"}, [&](uint32_t line, const std::vector<std::string_view>& f) {
    Code code;
    if (auto why = ingest::ParseCodeForType(CodeType::kDiagnosis, f[0], code); !why.empty())
      Bad(file, line, "code", why);
    Severity level;
    if (f[1] == "CC") level = Severity::kCc;
    else if (f[1] == "MCC") level = Severity::kMcc;
    else Bad(file, line, "level", "must be CC or MCC");
    if (!out.emplace(code, level).second) Bad(file, line, "code", "is listed twice");
  });
  return out;
}

std::unordered_map<Code, Severity> ReadSeverityFile(const std::string& path, FileDigest* digest) {
  io::HashedFile file(path, "CC/MCC file");
  auto out = ReadSeverityCsv(file.Stream(), path);
  const FileDigest read = file.Finish();
  if (digest) *digest = read;
  return out;
}

std::string FormatCents(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  std::string frac = std::to_string(abs % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (negative ? "-" : "") + std::to_string(abs / 100) + "." + frac;
}

}  // namespace coderaudit::qa
