#include "audit/refdata/catalogue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::refdata::detail {

namespace {

constexpr const char* kFirstLine = "# coderaudit refdata catalogue v1";
constexpr const char* kColumns = "kind\tversion\tfrom\tto\tindex\trows\trejected\tsha256\tsource";

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
  }
  return out;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return f;
}

bool ParseInt(std::string_view s, int64_t& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

std::string CataloguePath(const std::string& dir) {
  return (std::filesystem::path(dir) / kCatalogueName).string();
}

}  // namespace

std::string IndexFileName(TableKind kind, const std::string& version) {
  std::string safe;
  bool changed = false;
  for (char c : version) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    safe += ok ? c : '_';
    changed = changed || !ok;
  }
  if (safe.empty() || safe[0] == '.') safe = "v" + safe;
  // Two versions that sanitise alike ("a/b", "a_b") must not share an index file.
  if (changed) safe += "-" + Sha256Hex(version).substr(0, 8);
  return std::string(ToString(kind)) + "__" + safe + ".idx";
}

std::vector<CatalogueEntry> ReadCatalogue(const std::string& dir) {
  if (!std::filesystem::is_directory(dir))
    throw InputError("refdata directory " + dir + " does not exist");
  const std::string path = CataloguePath(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(dir + " is not a refdata directory (no " + kCatalogueName +
                     "; import a table with `coderaudit refdata import`)");
  std::vector<CatalogueEntry> entries;
  std::string line;
  uint32_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || line.rfind("kind\t", 0) == 0) continue;
    const auto f = SplitTabs(line);
    auto bad = [&](const std::string& what) {
      throw InputError(path + ":" + std::to_string(line_no) + ": " + what);
    };
    if (f.size() != 9) bad("expected 9 tab-separated fields, found " + std::to_string(f.size()));
    CatalogueEntry e;
    const auto kind = ParseTableKind(f[0]);
    if (!kind) bad("unknown table kind '" + std::string(f[0]) + "'");
    e.table.kind = *kind;
    e.table.version = Unescape(f[1]);
    const auto from = ParseIsoDate(f[2]);
    if (!from) bad("bad from date");
    e.table.period_from = *from;
    if (!f[3].empty()) {
      const auto to = ParseIsoDate(f[3]);
      if (!to) bad("bad to date");
      e.table.period_to = *to;
    }
    e.index_file = Unescape(f[4]);
    if (e.index_file.empty() || e.index_file.find('/') != std::string::npos ||
        e.index_file == "." || e.index_file == "..")
      bad("bad index file name");
    if (!ParseInt(f[5], e.table.rows) || !ParseInt(f[6], e.table.rejected)) bad("bad counts");
    e.table.sha256 = std::string(f[7]);
    e.table.source_path = Unescape(f[8]);
    entries.push_back(std::move(e));
  }
  return entries;
}

CatalogueLock::CatalogueLock(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "catalogue.lock").string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw SystemError("cannot open " + path + ": " + std::strerror(errno));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw SystemError("cannot lock " + path + ": " + why);
  }
}

CatalogueLock::~CatalogueLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

void UpsertCatalogue(const std::string& dir, const CatalogueEntry& entry) {
  std::vector<CatalogueEntry> entries;
  if (std::filesystem::exists(CataloguePath(dir))) entries = ReadCatalogue(dir);
  std::erase_if(entries, [&](const CatalogueEntry& e) {
    return e.table.kind == entry.table.kind && e.table.version == entry.table.version;
  });
  entries.push_back(entry);
  // Stable, readable order: by kind, then period, then version.
  std::sort(entries.begin(), entries.end(), [](const CatalogueEntry& a, const CatalogueEntry& b) {
    if (a.table.kind != b.table.kind) return a.table.kind < b.table.kind;
    if (a.table.period_from != b.table.period_from)
      return a.table.period_from < b.table.period_from;
    return a.table.version < b.table.version;
  });

  std::ostringstream text;
  text << kFirstLine << "\n" << kColumns << "\n";
  for (const auto& e : entries) {
    const TableVersion& t = e.table;
    text << ToString(t.kind) << '\t' << Escape(t.version) << '\t' << ToIso(t.period_from) << '\t'
         << (t.period_to ? ToIso(*t.period_to) : "") << '\t' << Escape(e.index_file) << '\t'
         << t.rows << '\t' << t.rejected << '\t' << t.sha256 << '\t' << Escape(t.source_path)
         << '\n';
  }
  const std::string body = text.str();

  static std::atomic<unsigned> counter{0};
  const std::string path = CataloguePath(dir);
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << body;
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      throw SystemError("cannot write " + tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw SystemError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
}

}  // namespace coderaudit::refdata::detail
