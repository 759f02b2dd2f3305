#include "audit/sampling/table_input.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "audit/io/csv_reader.hpp"
#include "audit/model/error.hpp"

namespace coderaudit::sampling {

namespace {

constexpr size_t kMaxRows = 10'000'000;

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Where(const std::string& source, uint32_t line) {
  return source + ":" + std::to_string(line);
}

// Header names compare case-insensitively with spaces and hyphens as underscores, except
// that a bare "N" (universe) and "n" (sample) keep their case, as in the textbooks.
std::string NormalizeHeader(std::string_view raw) {
  const std::string_view t = TrimView(raw);
  if (t == "N" || t == "N_h" || t == "Nh") return "universe";
  if (t == "n" || t == "n_h" || t == "nh") return "sample";
  std::string s;
  for (char c : t) {
    if (c == ' ' || c == '-') c = '_';
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::optional<size_t> FindColumn(const std::vector<std::string>& normalized,
                                 const std::vector<std::string_view>& names) {
  for (size_t i = 0; i < normalized.size(); ++i)
    for (std::string_view n : names)
      if (normalized[i] == n) return i;
  return std::nullopt;
}

const std::string& Field(const CsvRow& row, size_t column, const std::string& source) {
  if (column >= row.fields.size())
    throw InputError(Where(source, row.line) + ": expected at least " + std::to_string(column + 1) +
                     " columns, found " + std::to_string(row.fields.size()));
  return row.fields[column];
}

std::vector<std::string> Normalized(const CsvRow& header) {
  std::vector<std::string> out;
  for (const auto& f : header.fields) out.push_back(NormalizeHeader(f));
  return out;
}

const std::vector<std::string_view> kStratumNames{"stratum", "strata", "stratum_id"};
const std::vector<std::string_view> kUniverseNames{
    "universe", "universe_size", "population", "population_size", "frame_size",
    "primaries"};  // a multistage stratum's universe is its primary units
const std::vector<std::string_view> kSampleNames{"sample", "sample_size"};
const std::vector<std::string_view> kErrorNames{"errors", "error_count", "exceptions", "x"};

size_t RequireColumn(const std::vector<std::string>& normalized,
                     const std::vector<std::string_view>& names, std::string_view what,
                     const std::string& source) {
  if (auto c = FindColumn(normalized, names)) return *c;
  throw InputError(source + ": the header has no '" + std::string(what) + "' column");
}

}  // namespace

std::vector<CsvRow> ReadCsvRows(std::istream& in, const std::string& source) {
  // RAT-STATS also reads space-delimited text files (runs of spaces or tabs are one
  // delimiter). A file whose header line has no comma or quote but separates its names
  // with whitespace is read that way; anything else is RFC 4180 CSV, where any malformed
  // record stops the read, since an appraisal must never run on partly-read input.
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(source + ": read error");
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::vector<CsvRow> rows;
  auto add = [&](uint32_t line, std::vector<std::string>&& fields) {
    if (rows.size() >= kMaxRows) throw InputError(source + ": more than 10,000,000 rows");
    rows.push_back({line, std::move(fields)});
  };
  const size_t first = text.find_first_not_of(" \t\r\n");
  const std::string_view header_line =
      first == std::string::npos ? std::string_view{}
                                 : std::string_view(text).substr(first, text.find('\n', first) - first);
  const bool whitespace = !header_line.empty() &&
                          header_line.find_first_of(",\"") == std::string_view::npos &&
                          TrimView(header_line).find_first_of(" \t") != std::string_view::npos;
  if (whitespace) {
    uint32_t line = 0;
    for (size_t at = 0; at < text.size();) {
      const size_t end = std::min(text.find('\n', at), text.size());
      std::string_view row = std::string_view(text).substr(at, end - at);
      at = end + 1;
      ++line;
      std::vector<std::string> fields;
      for (size_t i = 0; i < row.size();) {
        i = row.find_first_not_of(" \t\r", i);
        if (i == std::string_view::npos) break;
        const size_t j = std::min(row.find_first_of(" \t\r", i), row.size());
        fields.emplace_back(row.substr(i, j - i));
        i = j;
      }
      if (!fields.empty()) add(line, std::move(fields));
    }
    return rows;
  }
  std::istringstream csv(std::move(text));
  io::CsvReader reader(csv);
  io::CsvRecord rec;
  while (reader.Next(rec)) {
    if (!rec.error.empty()) throw InputError(Where(source, rec.line) + ": " + rec.error);
    const bool blank = rec.fields.size() == 1 && TrimView(rec.fields[0]).empty();
    if (blank) continue;
    add(rec.line, std::move(rec.fields));
  }
  return rows;
}

double ParseAmount(std::string_view raw, const std::string& where) {
  std::string_view t = TrimView(raw);
  bool negative = false;
  if (t.size() >= 2 && t.front() == '(' && t.back() == ')') {
    negative = true;
    t = TrimView(t.substr(1, t.size() - 2));
  }
  std::string s;
  for (char c : t)
    if (c != '$' && c != ',') s += c;
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value))
    throw InputError(where + ": '" + std::string(TrimView(raw).substr(0, 40)) + "' is not an amount");
  return negative ? -value : value;
}

int64_t ParseCount(std::string_view raw, const std::string& where) {
  std::string s;
  for (char c : TrimView(raw))
    if (c != ',') s += c;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
    throw InputError(where + ": '" + std::string(TrimView(raw).substr(0, 40)) +
                     "' is not a whole number");
  return value;
}

namespace {

VariableItems VariableItemsFromRows(const std::vector<CsvRow>& rows, const std::string& source) {
  if (rows.empty()) throw InputError(source + ": empty file (expected a header row)");
  const auto header = Normalized(rows[0]);
  const auto examined = FindColumn(header, {"examined", "examined_value", "examined_amount"});
  const auto audited = FindColumn(header, {"audited", "audited_value", "audited_amount"});
  const auto difference = FindColumn(header, {"difference", "difference_value", "difference_amount"});
  const auto stratum = FindColumn(header, kStratumNames);
  const auto encounter = FindColumn(header, {"encounter_id"});
  if (!examined && !audited && !difference)
    throw InputError(source + ": the header names none of examined, audited, difference");
  if (rows.size() < 2) throw InputError(source + ": no items after the header");

  VariableItems items;
  items.has_stratum = stratum.has_value();
  items.has_encounter_id = encounter.has_value();
  if (examined) items.sample.examined.emplace();
  if (audited) items.sample.audited.emplace();
  if (difference) items.sample.difference.emplace();
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const std::string where = Where(source, row.line);
    if (examined) items.sample.examined->push_back(ParseAmount(Field(row, *examined, source), where));
    if (audited) items.sample.audited->push_back(ParseAmount(Field(row, *audited, source), where));
    if (difference)
      items.sample.difference->push_back(ParseAmount(Field(row, *difference, source), where));
    if (stratum) {
      const std::string id(TrimView(Field(row, *stratum, source)));
      if (id.empty()) throw InputError(where + ": empty stratum");
      items.stratum.push_back(id);
    }
    if (encounter) {
      const std::string id(TrimView(Field(row, *encounter, source)));
      if (id.empty()) throw InputError(where + ": empty encounter_id");
      items.encounter_id.push_back(id);
    }
    items.line.push_back(row.line);
  }
  return items;
}

}  // namespace

VariableItems ReadVariableItems(std::istream& in, const std::string& source) {
  return VariableItemsFromRows(ReadCsvRows(in, source), source);
}

namespace {

// A multistage file's unit columns: primary and primary_size, for three stages secondary
// and secondary_size, and stratum when stratified.
struct UnitColumns {
  size_t primary = 0, primary_size = 0;
  std::optional<size_t> secondary, secondary_size, stratum;
  int Stages() const { return secondary ? 3 : 2; }
};

UnitColumns FindUnitColumns(const std::vector<std::string>& header, const std::string& source) {
  UnitColumns c;
  c.primary = RequireColumn(header, {"primary", "primary_unit"}, "primary", source);
  c.primary_size = RequireColumn(header, {"primary_size"}, "primary_size", source);
  c.secondary = FindColumn(header, {"secondary", "secondary_unit"});
  c.secondary_size = FindColumn(header, {"secondary_size"});
  if (c.secondary.has_value() != c.secondary_size.has_value())
    throw InputError(source + ": a three-stage file needs both 'secondary' and 'secondary_size'");
  c.stratum = FindColumn(header, kStratumNames);
  return c;
}

// Appends one row's unit ids and sizes to the per-row vectors of `out`.
template <typename Rows>
void ReadUnits(const CsvRow& row, const UnitColumns& c, const std::string& source, Rows& out) {
  const std::string where = Where(source, row.line);
  auto id = [&](size_t column, const char* what) {
    std::string v(TrimView(Field(row, column, source)));
    if (v.empty()) throw InputError(where + ": empty " + what);
    return v;
  };
  auto size = [&](size_t column, const char* what) {
    const int64_t v = ParseCount(Field(row, column, source), where);
    if (v < 1) throw InputError(where + ": " + what + " must be at least 1");
    return v;
  };
  out.primary.push_back(id(c.primary, "primary"));
  out.primary_size.push_back(size(c.primary_size, "primary_size"));
  if (c.secondary) {
    out.secondary.push_back(id(*c.secondary, "secondary"));
    out.secondary_size.push_back(size(*c.secondary_size, "secondary_size"));
  }
  if (c.stratum) out.stratum.push_back(id(*c.stratum, "stratum"));
}

template <typename T>
void AppendAt(std::vector<T>& to, const std::vector<T>& from, size_t i) {
  if (i < from.size()) to.push_back(from[i]);
}

template <typename T>
void AppendAt(std::optional<std::vector<T>>& to, const std::optional<std::vector<T>>& from, size_t i) {
  if (!from) return;
  if (!to) to.emplace();
  to->push_back((*from)[i]);
}

// Row i of a multistage sample appended to another.
void AppendRow(MultistageItems& to, const MultistageItems& from, size_t i) {
  AppendAt(to.sample.examined, from.sample.examined, i);
  AppendAt(to.sample.audited, from.sample.audited, i);
  AppendAt(to.sample.difference, from.sample.difference, i);
}
void AppendRow(MultistageAttributeUnits& to, const MultistageAttributeUnits& from, size_t i) {
  AppendAt(to.sampled, from.sampled, i);
  AppendAt(to.characteristic, from.characteristic, i);
}

template <typename Rows>
std::vector<MultistageStratum<Rows>> SplitRows(const Rows& rows, const std::vector<StratumSize>& sizes,
                                               const std::string& source) {
  if (rows.stratum.empty() && !rows.primary.empty())
    throw InputError(source + ": a stratified appraisal needs a stratum column");
  std::map<std::string, size_t> index;
  std::vector<MultistageStratum<Rows>> strata;
  for (const StratumSize& s : sizes) {
    index[s.id] = strata.size();
    MultistageStratum<Rows> part;
    part.id = s.id;
    part.universe = s.universe;
    part.rows.stages = rows.stages;
    strata.push_back(std::move(part));
  }
  for (size_t i = 0; i < rows.stratum.size(); ++i) {
    const auto it = index.find(rows.stratum[i]);
    if (it == index.end())
      throw InputError(Where(source, rows.line[i]) + ": stratum '" + rows.stratum[i] +
                       "' is not in the strata file");
    Rows& to = strata[it->second].rows;
    AppendAt(to.stratum, rows.stratum, i);
    AppendAt(to.primary, rows.primary, i);
    AppendAt(to.primary_size, rows.primary_size, i);
    AppendAt(to.secondary, rows.secondary, i);
    AppendAt(to.secondary_size, rows.secondary_size, i);
    AppendAt(to.line, rows.line, i);
    AppendRow(to, rows, i);
  }
  for (const auto& s : strata)
    if (s.rows.primary.empty()) throw InputError(source + ": stratum " + s.id + " has no sampled units");
  return strata;
}

}  // namespace

MultistageItems ReadMultistageItems(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  VariableItems values = VariableItemsFromRows(rows, source);
  const UnitColumns columns = FindUnitColumns(Normalized(rows[0]), source);
  MultistageItems items;
  items.stages = columns.Stages();
  items.sample = std::move(values.sample);
  items.line = std::move(values.line);
  for (size_t r = 1; r < rows.size(); ++r) ReadUnits(rows[r], columns, source, items);
  return items;
}

MultistageAttributeUnits ReadMultistageAttributeUnits(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.size() < 2) throw InputError(source + ": expected a header row and at least one sampled unit");
  const auto header = Normalized(rows[0]);
  const UnitColumns columns = FindUnitColumns(header, source);
  const size_t sample = RequireColumn(header, kSampleNames, "sample", source);
  const size_t errors = RequireColumn(header, kErrorNames, "errors", source);
  MultistageAttributeUnits units;
  units.stages = columns.Stages();
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = Where(source, rows[r].line);
    ReadUnits(rows[r], columns, source, units);
    const int64_t n = ParseCount(Field(rows[r], sample, source), where);
    const int64_t x = ParseCount(Field(rows[r], errors, source), where);
    if (n < 1) throw InputError(where + ": sample must be at least 1");
    if (x < 0 || x > n)
      throw InputError(where + ": errors must be between 0 and the sample (" + std::to_string(n) + ")");
    units.sampled.push_back(n);
    units.characteristic.push_back(x);
    units.line.push_back(rows[r].line);
  }
  return units;
}

std::vector<MultistageStratum<MultistageItems>> SplitByStratum(const MultistageItems& items,
                                                               const std::vector<StratumSize>& sizes,
                                                               const std::string& source) {
  return SplitRows(items, sizes, source);
}

std::vector<MultistageStratum<MultistageAttributeUnits>> SplitByStratum(
    const MultistageAttributeUnits& units, const std::vector<StratumSize>& sizes, const std::string& source) {
  return SplitRows(units, sizes, source);
}

std::vector<RhcGroup> ReadRhcGroups(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.size() < 2) throw InputError(source + ": expected a header row and at least one group");
  const auto header = Normalized(rows[0]);
  const size_t id_col = RequireColumn(header, {"group", "group_id"}, "group", source);
  const size_t n_col = RequireColumn(header, {"primaries", "group_primaries"}, "primaries", source);
  const size_t z_col = RequireColumn(header, {"measure", "group_measure"}, "measure", source);
  const size_t p_col = RequireColumn(header, {"primary", "primary_unit"}, "primary", source);
  const size_t pz_col = RequireColumn(header, {"primary_measure"}, "primary_measure", source);
  std::vector<RhcGroup> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = Where(source, rows[r].line);
    RhcGroup g;
    g.id = std::string(TrimView(Field(rows[r], id_col, source)));
    g.primaries = ParseCount(Field(rows[r], n_col, source), where);
    g.measure = ParseCount(Field(rows[r], z_col, source), where);
    g.primary = std::string(TrimView(Field(rows[r], p_col, source)));
    g.primary_measure = ParseCount(Field(rows[r], pz_col, source), where);
    g.line = rows[r].line;
    if (g.id.empty()) throw InputError(where + ": empty group");
    if (g.primary.empty()) throw InputError(where + ": empty primary");
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<RhcFramePrimary> ReadRhcFrame(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.size() < 2) throw InputError(source + ": expected a header row and the frame's primaries");
  const auto header = Normalized(rows[0]);
  const size_t id_col = RequireColumn(header, {"primary", "primary_unit"}, "primary", source);
  const size_t z_col = RequireColumn(header, {"measure", "measure_of_size", "size"}, "measure", source);
  std::vector<RhcFramePrimary> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    RhcFramePrimary p;
    p.id = std::string(TrimView(Field(rows[r], id_col, source)));
    p.measure = ParseCount(Field(rows[r], z_col, source), Where(source, rows[r].line));
    p.line = rows[r].line;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<StratumSize> ReadStrataSizes(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.empty()) throw InputError(source + ": empty strata file");
  size_t first = 0, id_col = 0, n_col = 1;
  // A header is present when the second field of the first row is not a number.
  const bool has_header = rows[0].fields.size() < 2 || [&] {
    try {
      ParseCount(rows[0].fields[1], "");
      return false;
    } catch (const InputError&) {
      return true;
    }
  }();
  if (has_header) {
    const auto header = Normalized(rows[0]);
    id_col = RequireColumn(header, kStratumNames, "stratum", source);
    n_col = RequireColumn(header, kUniverseNames, "universe (N_h)", source);
    first = 1;
  }
  std::vector<StratumSize> sizes;
  std::set<std::string> seen;
  for (size_t r = first; r < rows.size(); ++r) {
    const std::string where = Where(source, rows[r].line);
    StratumSize s;
    s.id = std::string(TrimView(Field(rows[r], id_col, source)));
    s.universe = ParseCount(Field(rows[r], n_col, source), where);
    if (s.id.empty()) throw InputError(where + ": empty stratum");
    if (s.universe < 1) throw InputError(where + ": stratum universe size must be at least 1");
    if (!seen.insert(s.id).second) throw InputError(where + ": stratum " + s.id + " listed twice");
    sizes.push_back(s);
  }
  if (sizes.empty()) throw InputError(source + ": no strata");
  return sizes;
}

std::vector<StratumInput> GroupByStratum(const VariableItems& items,
                                         const std::vector<StratumSize>& sizes) {
  if (!items.has_stratum)
    throw InputError("a stratified appraisal needs a stratum column in the items file");
  std::map<std::string, size_t> index;
  std::vector<StratumInput> strata;
  for (const StratumSize& s : sizes) {
    index[s.id] = strata.size();
    StratumInput in;
    in.id = s.id;
    in.universe = s.universe;
    if (items.sample.examined) in.sample.examined.emplace();
    if (items.sample.audited) in.sample.audited.emplace();
    if (items.sample.difference) in.sample.difference.emplace();
    strata.push_back(std::move(in));
  }
  for (size_t i = 0; i < items.stratum.size(); ++i) {
    const auto it = index.find(items.stratum[i]);
    if (it == index.end())
      throw InputError("item " + std::to_string(i + 1) + " is in stratum '" + items.stratum[i] +
                       "', which the strata file does not list");
    StratumInput& s = strata[it->second];
    if (items.sample.examined) s.sample.examined->push_back((*items.sample.examined)[i]);
    if (items.sample.audited) s.sample.audited->push_back((*items.sample.audited)[i]);
    if (items.sample.difference) s.sample.difference->push_back((*items.sample.difference)[i]);
  }
  for (const StratumInput& s : strata) {
    const auto& any = s.sample.difference ? *s.sample.difference
                      : s.sample.examined ? *s.sample.examined
                                          : *s.sample.audited;
    if (any.empty()) throw InputError("stratum " + s.id + " has no sampled items");
  }
  return strata;
}

std::vector<AttributeStratumInput> ReadAttributeStrata(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.size() < 2) throw InputError(source + ": expected a header row and at least one stratum");
  const auto header = Normalized(rows[0]);
  const size_t id_col = RequireColumn(header, kStratumNames, "stratum", source);
  const size_t n_col = RequireColumn(header, kUniverseNames, "universe", source);
  const size_t s_col = RequireColumn(header, kSampleNames, "sample", source);
  const size_t e_col = RequireColumn(header, kErrorNames, "errors", source);
  std::vector<AttributeStratumInput> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = Where(source, rows[r].line);
    AttributeStratumInput s;
    s.id = std::string(TrimView(Field(rows[r], id_col, source)));
    s.universe = ParseCount(Field(rows[r], n_col, source), where);
    s.sample_size = ParseCount(Field(rows[r], s_col, source), where);
    s.errors = ParseCount(Field(rows[r], e_col, source), where);
    if (s.id.empty()) throw InputError(where + ": empty stratum");
    out.push_back(s);
  }
  return out;
}

std::vector<StratumProbe> ReadStratumProbes(std::istream& in, const std::string& source) {
  const auto rows = ReadCsvRows(in, source);
  if (rows.size() < 2) throw InputError(source + ": expected a header row and at least one stratum");
  const auto header = Normalized(rows[0]);
  const size_t id_col = RequireColumn(header, kStratumNames, "stratum", source);
  const size_t n_col = RequireColumn(header, kUniverseNames, "universe", source);
  const size_t m_col = RequireColumn(header, {"mean", "probe_mean"}, "mean", source);
  const size_t sd_col =
      RequireColumn(header, {"sd", "std_dev", "standard_deviation", "probe_sd"}, "sd", source);
  std::vector<StratumProbe> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = Where(source, rows[r].line);
    StratumProbe p;
    p.id = std::string(TrimView(Field(rows[r], id_col, source)));
    p.universe = ParseCount(Field(rows[r], n_col, source), where);
    p.mean = ParseAmount(Field(rows[r], m_col, source), where);
    p.sd = ParseAmount(Field(rows[r], sd_col, source), where);
    if (p.id.empty()) throw InputError(where + ": empty stratum");
    out.push_back(p);
  }
  return out;
}

}  // namespace coderaudit::sampling
