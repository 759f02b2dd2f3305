#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/model/error.hpp"
#include "audit/refdata/refdata.hpp"

namespace coderaudit::refdata {

std::vector<ManifestEntry> ReadTableManifest(const std::string& manifest_path) {
  std::ifstream in(manifest_path);
  if (!in) throw InputError("cannot open table manifest " + manifest_path);
  const std::filesystem::path dir = std::filesystem::path(manifest_path).parent_path();
  std::vector<ManifestEntry> out;
  std::string line;
  for (uint32_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto bad = [&](const std::string& why) {
      throw InputError(manifest_path + ":" + std::to_string(number) + ": " + why);
    };
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() != 5) bad("want 5 tab-separated fields (kind, version, from, to, path)");
    const auto kind = ParseTableKind(fields[0]);
    if (!kind) bad("unknown table kind '" + fields[0] + "'");
    const auto from = ParseIsoDate(fields[2]);
    if (!from) bad("from: not a date YYYY-MM-DD: '" + fields[2] + "'");
    std::optional<Date> to;
    if (!fields[3].empty()) {
      to = ParseIsoDate(fields[3]);
      if (!to) bad("to: not a date YYYY-MM-DD: '" + fields[3] + "'");
      if (*to < *from) bad("to is before from");
    }
    if (fields[1].empty() || fields[4].empty()) bad("empty version or path");
    out.push_back({*kind, fields[1], *from, to, (dir / fields[4]).string()});
  }
  return out;
}

}  // namespace coderaudit::refdata
