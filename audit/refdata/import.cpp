// ImportTable: official file -> rows + rejects (readers) -> sorted fixed-width records
// (layouts.hpp) -> index file written atomically -> catalogue entry.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "audit/io/hashed_file.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/refdata/catalogue.hpp"
#include "audit/refdata/index_file.hpp"
#include "audit/refdata/layouts.hpp"
#include "audit/refdata/mce_release.hpp"
#include "audit/refdata/period.hpp"
#include "audit/refdata/readers.hpp"
#include "audit/refdata/refdata.hpp"
#include "audit/refdata/tabular_xml.hpp"

namespace coderaudit::refdata {

namespace {

using namespace detail;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Which member of a ZIP holds the table: the CMS ICD-10 zips also carry addenda files,
// the code-only list and PDFs; the POA zip carries add/delete/revise lists and xlsx.
MemberFilter MemberFor(TableKind kind) {
  auto text_file = [](const std::string& n) {
    return n.ends_with(".txt") || n.ends_with(".csv") || n.ends_with(".tsv") || n.ends_with(".xml");
  };
  switch (kind) {
    case TableKind::kIcd10CmOrder:
      return [](std::string_view name) {
        const std::string n = Lower(name);
        return n.starts_with("icd10cm_order_") && n.ends_with(".txt") &&
               n.find("addenda") == std::string::npos;
      };
    case TableKind::kIcd10PcsOrder:
      return [](std::string_view name) {
        const std::string n = Lower(name);
        return n.starts_with("icd10pcs_order_") && n.ends_with(".txt") &&
               n.find("addenda") == std::string::npos;
      };
    case TableKind::kPoaExempt:
      return [](std::string_view name) {
        const std::string n = Lower(name);
        return n.starts_with("poaexemptcodes") && n.ends_with(".txt");
      };
    case TableKind::kMceRelease:  // the MCE jar holds its tables as one resource
      return [](std::string_view name) { return name == "mce.bin"; };
    default: return [text_file](std::string_view name) { return text_file(Lower(name)); };
  }
}

int32_t StartDays(const std::optional<Date>& d) { return d ? d->days : kNoStart; }
int32_t EndDays(const std::optional<Date>& d) { return d ? d->days : kNoEnd; }

void AddStrings(IndexWriter& w, const std::vector<std::string>& strings,
                SectionId blob_id = SectionId::kStrings,
                SectionId offsets_id = SectionId::kStringOffsets) {
  std::vector<unsigned char> blob, offsets;
  uint32_t at = 0;
  Append(offsets, at);
  for (const auto& s : strings) {
    blob.insert(blob.end(), s.begin(), s.end());
    at += static_cast<uint32_t>(s.size());
    Append(offsets, at);
  }
  if (blob.empty()) blob.push_back(0);  // sections are never zero-sized
  w.Add(blob_id, 1, std::move(blob));
  w.Add(offsets_id, sizeof(uint32_t), std::move(offsets));
}

// The rows' descriptions (row i's at index i), when the file gave any: looked up only by
// RefData::Description, so `check` never reads them.
template <typename Row>
void AddDescriptions(IndexWriter& w, const std::vector<Row>& rows) {
  if (std::none_of(rows.begin(), rows.end(), [](const Row& r) { return !r.description.empty(); }))
    return;
  std::vector<std::string> texts;
  texts.reserve(rows.size());
  for (const auto& r : rows) texts.push_back(r.description);
  AddStrings(w, texts, SectionId::kDescriptions, SectionId::kDescriptionOffsets);
}

int64_t EncodePtp(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  PtpRows t = ReadPtp(src, rejects);
  auto key = [](const PtpRow& r) {
    return std::tuple(r.column1, r.column2, EndDays(r.deleted), StartDays(r.effective));
  };
  std::sort(t.rows.begin(), t.rows.end(),
            [&](const PtpRow& a, const PtpRow& b) { return key(a) < key(b); });
  // The shipped copy has no effective dates. A pair listed more than once was deleted
  // and re-added (or changed indicator): each later row starts the day after the
  // previous row's deletion, so exactly one row of a pair is active on any date.
  if (!t.had_effective_column) {
    for (size_t i = 1; i < t.rows.size(); ++i) {
      PtpRow& r = t.rows[i];
      const PtpRow& prev = t.rows[i - 1];
      if (r.column1 != prev.column1 || r.column2 != prev.column2) continue;
      if (r.deleted == prev.deleted)
        r.effective = prev.effective;
      else if (prev.deleted)
        r.effective = Date{prev.deleted->days + 1};
    }
  }
  std::vector<unsigned char> groups, rows;
  rows.reserve(t.rows.size() * sizeof(PtpRowRecord));
  for (size_t i = 0; i < t.rows.size();) {
    size_t j = i;
    while (j < t.rows.size() && t.rows[j].column1 == t.rows[i].column1) ++j;
    Append(groups, PtpGroupRecord{KeyOf(t.rows[i].column1), static_cast<uint32_t>(i),
                                  static_cast<uint32_t>(j - i)});
    for (size_t k = i; k < j; ++k) {
      const PtpRow& r = t.rows[k];
      Append(rows, PtpRowRecord{KeyOf(r.column2), StartDays(r.effective), EndDays(r.deleted),
                                r.modifier, 0, r.rationale});
    }
    i = j;
  }
  const auto n = static_cast<int64_t>(t.rows.size());
  if (n > 0) {
    w.Add(SectionId::kGroups, sizeof(PtpGroupRecord), std::move(groups));
    w.Add(SectionId::kRows, sizeof(PtpRowRecord), std::move(rows));
    AddStrings(w, t.rationales);
  }
  return n;
}

int64_t EncodeMue(Source& src, TableKind kind, IndexWriter& w, std::vector<Reject>& rejects) {
  MueRows t = ReadMue(src, kind, rejects);
  std::sort(t.rows.begin(), t.rows.end(),
            [](const MueRow& a, const MueRow& b) { return a.code < b.code; });
  std::vector<unsigned char> rows;
  for (const auto& r : t.rows)
    Append(rows, MueRecord{KeyOf(r.code), r.units, r.mai, 0, r.rationale});
  const auto n = static_cast<int64_t>(t.rows.size());
  if (n > 0) {
    w.Add(SectionId::kRows, sizeof(MueRecord), std::move(rows));
    AddStrings(w, t.rationales);
  }
  return n;
}

int64_t EncodeAddOn(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  std::vector<AddOnRow> t = ReadAddOn(src, rejects);
  const auto n = static_cast<int64_t>(t.size());
  auto key = [](const AddOnRow& r) {
    return std::tuple(r.add_on, r.primary ? KeyOf(*r.primary) : CodeKey{}, r.type);
  };
  std::sort(t.begin(), t.end(),
            [&](const AddOnRow& a, const AddOnRow& b) { return key(a) < key(b); });
  t.erase(std::unique(t.begin(), t.end(),
                      [&](const AddOnRow& a, const AddOnRow& b) { return key(a) == key(b); }),
          t.end());
  std::vector<unsigned char> rows;
  for (const auto& r : t)
    Append(
        rows,
        AddOnRecord{KeyOf(r.add_on), r.primary ? KeyOf(*r.primary) : CodeKey{}, r.type, {0, 0, 0}});
  if (n > 0) w.Add(SectionId::kRows, sizeof(AddOnRecord), std::move(rows));
  return n;
}

int64_t EncodeOrder(Source& src, TableKind kind, IndexWriter& w, std::vector<Reject>& rejects) {
  std::vector<OrderRow> t = ReadOrder(src, kind, rejects);
  std::sort(t.begin(), t.end(),
            [](const OrderRow& a, const OrderRow& b) { return a.code < b.code; });
  std::vector<unsigned char> rows;
  for (const auto& r : t)
    Append(rows, OrderRecord{KeyOf(r.code), static_cast<uint8_t>(r.billable ? 1 : 0), {0, 0, 0}});
  const auto n = static_cast<int64_t>(t.size());
  if (n > 0) {
    w.Add(SectionId::kRows, sizeof(OrderRecord), std::move(rows));
    AddDescriptions(w, t);
  }
  return n;
}

int64_t EncodeHcpcs(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  std::vector<HcpcsRow> t = ReadHcpcs(src, rejects);
  std::sort(t.begin(), t.end(),
            [](const HcpcsRow& a, const HcpcsRow& b) { return a.code < b.code; });
  std::vector<unsigned char> rows;
  for (const auto& r : t)
    Append(rows, HcpcsRecord{KeyOf(r.code), StartDays(r.added), EndDays(r.terminated)});
  const auto n = static_cast<int64_t>(t.size());
  if (n > 0) {
    w.Add(SectionId::kRows, sizeof(HcpcsRecord), std::move(rows));
    AddDescriptions(w, t);
  }
  return n;
}

int64_t EncodeCodeList(Source& src, TableKind kind, IndexWriter& w, std::vector<Reject>& rejects) {
  std::vector<Code> t = ReadCodeList(src, kind, rejects);
  const auto n = static_cast<int64_t>(t.size());
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  std::vector<unsigned char> rows;
  for (const auto& c : t) Append(rows, CodeRecord{KeyOf(c)});
  if (n > 0) w.Add(SectionId::kRows, sizeof(CodeRecord), std::move(rows));
  return n;
}

int64_t EncodeMce(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  std::vector<MceRow> t = ReadMce(src, rejects);
  const auto n = static_cast<int64_t>(t.size());
  auto key = [](const MceRow& r) { return std::pair(static_cast<uint8_t>(r.list), r.code); };
  std::sort(t.begin(), t.end(), [&](const MceRow& a, const MceRow& b) { return key(a) < key(b); });
  t.erase(std::unique(t.begin(), t.end(),
                      [&](const MceRow& a, const MceRow& b) { return key(a) == key(b); }),
          t.end());
  std::vector<unsigned char> rows;
  for (const auto& r : t)
    Append(rows, MceRecord{static_cast<uint8_t>(r.list), {0, 0, 0}, KeyOf(r.code)});
  if (n > 0) w.Add(SectionId::kRows, sizeof(MceRecord), std::move(rows));
  return n;
}

int64_t EncodeMceRelease(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  MceRelease release = ReadMceRelease(src, rejects);
  // By (procedure, code); stable, so a code's rows keep the release's order.
  std::stable_sort(release.codes.begin(), release.codes.end(),
                   [](const MceCodeRow& a, const MceCodeRow& b) {
                     return std::pair(a.procedure, a.code) < std::pair(b.procedure, b.code);
                   });
  std::vector<unsigned char> rows, ages, statuses;
  for (const auto& r : release.codes)
    Append(rows, MceCodeRecord{KeyOf(r.code), r.start.days, EndDays(r.end), r.flags,
                               static_cast<uint8_t>(r.procedure), {}});
  for (const auto& a : release.ages)
    Append(ages, MceAgeRecord{static_cast<uint8_t>(a.group), {}, a.start_age, a.end_age,
                              a.start.days, EndDays(a.end)});
  for (const auto& st : release.statuses)
    Append(statuses, MceStatusRecord{st.code, st.start.days, EndDays(st.end)});
  if (rows.empty()) return 0;
  if (ages.empty() || statuses.empty())
    throw InputError(src.Name() + ": the MCE release has no age or discharge status table");
  w.Add(SectionId::kRows, sizeof(MceCodeRecord), std::move(rows));
  w.Add(SectionId::kMceAges, sizeof(MceAgeRecord), std::move(ages));
  w.Add(SectionId::kMceStatuses, sizeof(MceStatusRecord), std::move(statuses));
  return static_cast<int64_t>(release.codes.size());
}

int64_t EncodeTabular(Source& src, IndexWriter& w, std::vector<Reject>& rejects) {
  const size_t rejects_before = rejects.size();
  TabularRows t = ReadTabular(src, rejects);
  std::stable_sort(t.entries.begin(), t.entries.end(),
                   [](const TabularEntry& a, const TabularEntry& b) { return a.code < b.code; });
  std::vector<unsigned char> rows, ranges, conditions;
  uint32_t next = 0;
  for (size_t i = 0; i < t.entries.size(); ++i) {
    if (i > 0 && t.entries[i].code == t.entries[i - 1].code) continue;  // first one wins
    const TabularNotes& n = t.entries[i].notes;
    NotesRecord rec{KeyOf(t.entries[i].code), next, {0, 0, 0, 0}};
    const std::vector<CodeRange>* lists[4] = {&n.excludes1, &n.excludes2, &n.code_first,
                                              &n.use_additional};
    for (int k = 0; k < 4; ++k) {
      const size_t take = std::min<size_t>(lists[k]->size(), UINT16_MAX);
      rec.counts[k] = static_cast<uint16_t>(take);
      for (size_t r = 0; r < take; ++r) {
        const CodeRange& range = (*lists[k])[r];
        Append(ranges, RangeRecord{KeyOf(range.from), KeyOf(range.to)});
        Append(conditions, RangeConditionRecord{{range.where[0].chars, range.where[1].chars},
                                                {range.where[0].positions, range.where[1].positions},
                                                {}});
      }
      next += static_cast<uint32_t>(take);
    }
    Append(rows, rec);
  }
  const int64_t bad = static_cast<int64_t>(rejects.size() - rejects_before);
  if (rows.empty()) return 0;
  w.Add(SectionId::kRows, sizeof(NotesRecord), std::move(rows));
  if (ranges.empty()) {
    ranges.resize(sizeof(RangeRecord), 0);
    conditions.resize(sizeof(RangeConditionRecord), 0);
  }
  w.Add(SectionId::kRanges, sizeof(RangeRecord), std::move(ranges));
  w.Add(SectionId::kRangeConditions, sizeof(RangeConditionRecord), std::move(conditions));
  return t.diags - bad;
}

}  // namespace

PeriodGuess MceReleasePeriod(const std::string& source_path) {
  if (!std::filesystem::is_regular_file(source_path))
    throw InputError("cannot read " + source_path + " (not a file)");
  auto src = Source::Open(source_path, MemberFor(TableKind::kMceRelease));
  std::vector<Reject> ignored;
  const MceRelease release = ReadMceRelease(*src, ignored);
  std::optional<Date> first;
  for (const auto& r : release.codes)
    if (!first || r.start < *first) first = r.start;
  if (!first) throw InputError(src->Name() + ": the MCE release has no ICD-10 code rows");
  return {MceReleaseVersion(release.version), {*first, release.termination}};
}

ImportResult ImportTable(const std::string& refdata_dir, TableKind kind,
                         const std::string& source_path, const std::string& version,
                         Date period_from, std::optional<Date> period_to) {
  if (version.empty()) throw InputError("a table version is required (e.g. 2024Q3, FY2026)");
  for (char c : version)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw InputError("the table version must not contain control characters");
  if (period_to && *period_to < period_from)
    throw InputError("the period ends (" + ToIso(*period_to) + ") before it starts (" +
                     ToIso(period_from) + ")");
  if (!std::filesystem::is_regular_file(source_path))
    throw InputError("cannot read " + source_path + " (not a file)");

  const FileDigest digest = Sha256File(source_path);
  auto src = Source::Open(source_path, MemberFor(kind));
  IndexWriter writer(kind);
  ImportResult result;
  int64_t rows = 0;
  switch (kind) {
    case TableKind::kPtpPractitioner:
    case TableKind::kPtpOutpatient: rows = EncodePtp(*src, writer, result.rejects); break;
    case TableKind::kMuePractitioner:
    case TableKind::kMueOutpatient:
    case TableKind::kMueDme: rows = EncodeMue(*src, kind, writer, result.rejects); break;
    case TableKind::kAddOn: rows = EncodeAddOn(*src, writer, result.rejects); break;
    case TableKind::kIcd10CmOrder:
    case TableKind::kIcd10PcsOrder: rows = EncodeOrder(*src, kind, writer, result.rejects); break;
    case TableKind::kHcpcs: rows = EncodeHcpcs(*src, writer, result.rejects); break;
    case TableKind::kPoaExempt:
    case TableKind::kInpatientOnly:
    case TableKind::kCpt:
      rows = EncodeCodeList(*src, kind, writer, result.rejects);
      break;
    case TableKind::kMce: rows = EncodeMce(*src, writer, result.rejects); break;
    case TableKind::kIcd10CmTabular: rows = EncodeTabular(*src, writer, result.rejects); break;
    case TableKind::kMceRelease: rows = EncodeMceRelease(*src, writer, result.rejects); break;
  }
  if (rows == 0) {
    std::string why = src->Name() + ": no usable rows for " + std::string(ToString(kind));
    if (!result.rejects.empty()) {
      const Reject& r = result.rejects.front();
      why += " (" + std::to_string(result.rejects.size()) + " rejected; first: line " +
             std::to_string(r.line) + (r.field.empty() ? "" : " " + r.field) + ": " + r.reason +
             ")";
    }
    throw InputError(why);
  }

  // The source is decoded by format-specific readers (zip members, fixed-width text) that
  // do not read through a hashed stream: a second digest after decoding must equal the
  // first, so the recorded SHA-256 is of the content the index was built from.
  if (!(Sha256File(source_path) == digest)) throw InputError(io::ChangedWhileChecked(source_path));

  TableVersion& t = result.table;
  t.kind = kind;
  t.version = version;
  t.period_from = period_from;
  t.period_to = period_to;
  t.source_path = std::filesystem::absolute(source_path).lexically_normal().string();
  t.sha256 = digest.sha256;
  t.rows = rows;
  t.rejected = static_cast<int64_t>(result.rejects.size());

  std::error_code ec;
  std::filesystem::create_directories(refdata_dir, ec);
  if (!std::filesystem::is_directory(refdata_dir))
    throw InputError("cannot create the refdata directory " + refdata_dir +
                     (ec ? ": " + ec.message() : std::string()));
  CatalogueEntry entry{t, IndexFileName(kind, version)};
  {
    CatalogueLock lock(refdata_dir);
    writer.Write((std::filesystem::path(refdata_dir) / entry.index_file).string(),
                 IndexMeta{t.rows, t.rejected, t.sha256});
    UpsertCatalogue(refdata_dir, entry);
  }
  return result;
}

}  // namespace coderaudit::refdata
