#include "audit/refdata/mce_release.hpp"

#include <istream>
#include <iterator>

#include "audit/model/error.hpp"
#include "audit/refdata/period.hpp"

namespace coderaudit::refdata::detail {

namespace {

// mce.bin is about 6 MB; anything far larger is not an MCE release.
constexpr size_t kMaxReleaseBytes = size_t{256} << 20;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

// A protobuf message's bytes. Every read is bounds-checked; a failure marks the reader
// bad and the caller throws naming what it was reading.
class Wire {
 public:
  explicit Wire(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool AtEnd() const { return p_ == end_; }
  bool Bad() const { return bad_; }

  // The next field's number and wire type; false at the end or on malformed input.
  bool Next(uint32_t& field, uint32_t& type) {
    if (bad_ || p_ == end_) return false;
    uint64_t tag = 0;
    if (!Varint(tag) || tag >> 3 == 0 || tag >> 3 > UINT32_MAX) return Fail();
    field = static_cast<uint32_t>(tag >> 3);
    type = static_cast<uint32_t>(tag & 7);
    return true;
  }
  bool Varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      const auto b = static_cast<unsigned char>(*p_++);
      out |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80u) == 0) return true;
    }
    return Fail();
  }
  bool Bytes(std::string_view& out) {
    uint64_t n = 0;
    if (!Varint(n) || n > static_cast<uint64_t>(end_ - p_)) return Fail();
    out = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }
  bool Skip(uint32_t type) {
    uint64_t v = 0;
    std::string_view s;
    switch (type) {
      case kVarint: return Varint(v);
      case kBytes: return Bytes(s);
      case kFixed64: return Advance(8);
      case kFixed32: return Advance(4);
      default: return Fail();
    }
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return Fail();
    p_ += n;
    return true;
  }
  bool Fail() {
    bad_ = true;
    return false;
  }
  const char* p_;
  const char* end_;
  bool bad_ = false;
};

[[noreturn]] void Malformed(const Source& src, std::string_view what) {
  throw InputError(src.Name() + ": not a CMS MCE release (mce.bin): malformed " +
                   std::string(what));
}

// The fields of one entry message: strings by field number, ints by field number.
struct Fields {
  std::string_view str[6];
  int64_t num[6] = {0, 0, 0, 0, 0, 0};
  std::vector<std::string_view> repeated;  // field 4 of a CodeMasterEntry
};

Fields ReadEntry(const Source& src, std::string_view bytes, uint32_t repeated_field,
                 std::string_view what) {
  Fields f;
  Wire w(bytes);
  uint32_t field = 0, type = 0;
  while (w.Next(field, type)) {
    if (type == kBytes && field < 6) {
      std::string_view s;
      if (!w.Bytes(s)) break;
      if (field == repeated_field)
        f.repeated.push_back(s);
      else
        f.str[field] = s;
    } else if (type == kVarint && field < 6) {
      uint64_t v = 0;
      if (!w.Varint(v)) break;
      f.num[field] = static_cast<int64_t>(v);
    } else if (!w.Skip(type)) {
      break;
    }
  }
  if (w.Bad()) Malformed(src, what);
  return f;
}

// The repeated entry messages (field 1) of a root message.
std::vector<std::string_view> Entries(const Source& src, std::string_view root,
                                      std::string_view what) {
  std::vector<std::string_view> out;
  Wire w(root);
  uint32_t field = 0, type = 0;
  while (w.Next(field, type)) {
    if (field == 1 && type == kBytes) {
      std::string_view s;
      if (w.Bytes(s)) out.push_back(s);
    } else {
      w.Skip(type);
    }
  }
  if (w.Bad()) Malformed(src, what);
  return out;
}

std::optional<MceAgeGroup> ParseAgeGroup(std::string_view s) {
  for (auto g : {MceAgeGroup::kAdult, MceAgeGroup::kMaternity, MceAgeGroup::kNewborn,
                 MceAgeGroup::kPediatric})
    if (ToString(g) == s) return g;
  return std::nullopt;
}

// A dated row's dates: start required, end empty = open. False (with a reject) if bad.
bool Dates(std::string_view start_text, std::string_view end_text, Date& start,
           std::optional<Date>& end, Reject& reject) {
  const auto s = ParseTableDate(start_text);
  if (!s) {
    reject.reason = "start date is not YYYYMMDD";
    return false;
  }
  start = *s;
  if (!end_text.empty()) {
    end = ParseTableDate(end_text);
    if (!end) {
      reject.reason = "end date is not YYYYMMDD";
      return false;
    }
    if (*end < start) {
      reject.reason = "end date is before the start date";
      return false;
    }
  }
  return true;
}

bool PlausibleCode(bool procedure, const Code& code) {
  const auto v = code.View();
  if (procedure) return v.size() == 7;
  return v.size() >= 3 && v[0] >= 'A' && v[0] <= 'Z';
}

void ReadCodes(const Source& src, std::string_view root, bool procedure, MceRelease& out,
               std::vector<Reject>& rejects) {
  const std::string_view what = procedure ? "px" : "dx";
  const auto entries = Entries(src, root, procedure ? "procedure table" : "diagnosis table");
  out.codes.reserve(out.codes.size() + entries.size());
  uint32_t index = 0;
  for (std::string_view bytes : entries) {
    ++index;
    const Fields f = ReadEntry(src, bytes, 4, what);
    Reject reject{src.Name(), index, std::string(what), "", std::string(f.str[1].substr(0, 16))};
    MceCodeRow row;
    row.procedure = procedure;
    const auto code = Code::Parse(f.str[1]);
    if (!code || !PlausibleCode(procedure, *code)) {
      reject.reason = procedure ? "not an ICD-10-PCS code" : "not an ICD-10-CM code";
      rejects.push_back(std::move(reject));
      continue;
    }
    row.code = *code;
    if (!Dates(f.str[2], f.str[3], row.start, row.end, reject)) {
      rejects.push_back(std::move(reject));
      continue;
    }
    for (std::string_view flag : f.repeated) {
      if (flag.empty() || IgnoredMceFlag(flag)) continue;
      if (const auto known = ParseMceFlag(flag)) {
        row.flags |= Bit(*known);
      } else {
        rejects.push_back({src.Name(), index, std::string(what),
                           "flag '" + std::string(flag.substr(0, 32)) +
                               "' is not an MCE attribute coderaudit knows (row kept without it)",
                           row.code.Str()});
      }
    }
    out.codes.push_back(row);
  }
}

}  // namespace

std::string MceReleaseVersion(int version) {
  return "v" + std::to_string(version / 10) + "." + std::to_string(version % 10);
}

MceRelease ReadMceRelease(Source& src, std::vector<Reject>& rejects) {
  std::string bytes;
  {
    std::istream& in = src.Stream();
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      bytes.append(buf, static_cast<size_t>(in.gcount()));
      if (bytes.size() > kMaxReleaseBytes)
        throw InputError(src.Name() + ": larger than any MCE release (over 256 MB)");
    }
    src.CheckEnd();
  }
  MceRelease out;
  std::string_view age_root, status_root, dx_root, px_root;
  bool has_dx = false, has_version = false;
  Wire w(bytes);
  uint32_t field = 0, type = 0;
  while (w.Next(field, type)) {
    std::string_view s;
    uint64_t v = 0;
    if (type == kBytes && field >= 1 && field <= 9 && field != 8) {
      if (!w.Bytes(s)) break;
      switch (field) {
        case 1: age_root = s; break;
        case 2: status_root = s; break;
        case 3: dx_root = s, has_dx = true; break;
        case 4: px_root = s; break;
        case 9:
          if (!s.empty()) {
            out.termination = ParseTableDate(s);
            if (!out.termination) Malformed(src, "termination date");
          }
          break;
        default: break;  // ICD-9 tables and the date format ("yyyyMMdd")
      }
    } else if (type == kVarint && field == 8) {
      if (!w.Varint(v)) break;
      out.version = static_cast<int>(v);
      has_version = true;
    } else if (!w.Skip(type)) {
      break;
    }
  }
  if (w.Bad()) Malformed(src, "root message");
  if (!has_dx || !has_version || out.version <= 0 || out.version > 9999)
    throw InputError(src.Name() +
                     ": not a CMS MCE release (mce.bin): no ICD-10 diagnosis table or version");

  uint32_t index = 0;
  for (std::string_view e : Entries(src, age_root, "age table")) {
    const Fields f = ReadEntry(src, e, 0, "age");
    Reject reject{src.Name(), ++index, "age", "", std::string(f.str[1].substr(0, 16))};
    MceAgeRow row;
    const auto group = ParseAgeGroup(f.str[1]);
    if (!group) {
      reject.reason = "unknown age group";
      rejects.push_back(std::move(reject));
      continue;
    }
    row.group = *group;
    row.start_age = static_cast<int>(f.num[2]);
    row.end_age = static_cast<int>(f.num[3]);
    if (!Dates(f.str[4], f.str[5], row.start, row.end, reject)) {
      rejects.push_back(std::move(reject));
      continue;
    }
    out.ages.push_back(row);
  }
  index = 0;
  for (std::string_view e : Entries(src, status_root, "discharge status table")) {
    const Fields f = ReadEntry(src, e, 0, "status");
    Reject reject{src.Name(), ++index, "status", "", std::to_string(f.num[1])};
    MceStatusRow row;
    row.code = static_cast<int>(f.num[1]);
    if (!Dates(f.str[2], f.str[3], row.start, row.end, reject)) {
      rejects.push_back(std::move(reject));
      continue;
    }
    out.statuses.push_back(row);
  }
  ReadCodes(src, dx_root, false, out, rejects);
  ReadCodes(src, px_root, true, out, rejects);
  return out;
}

}  // namespace coderaudit::refdata::detail
