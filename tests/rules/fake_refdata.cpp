#include "tests/rules/fake_refdata.hpp"

#include <algorithm>
#include <stdexcept>

#include "audit/model/date.hpp"

namespace coderaudit::rules::testing {

namespace {

Date MustDate(std::string_view text) {
  const auto date = ParseIsoDate(text);
  if (!date) throw std::invalid_argument("bad date in a fake table: " + std::string(text));
  return *date;
}

bool InForce(const refdata::TableVersion& table, Date on) {
  return table.period_from <= on && (!table.period_to || on <= *table.period_to);
}

}  // namespace

FakeRefData& FakeRefData::Table(refdata::TableKind kind, std::string version,
                                std::string_view from, std::optional<std::string_view> to) {
  refdata::TableVersion table;
  table.kind = kind;
  table.version = std::move(version);
  table.period_from = MustDate(from);
  if (to) table.period_to = MustDate(*to);
  table.source_path = "fake";
  tables_.push_back(std::move(table));
  return *this;
}

const refdata::TableVersion* FakeRefData::Current(refdata::TableKind kind) const {
  for (auto it = tables_.rbegin(); it != tables_.rend(); ++it)
    if (it->kind == kind) return &*it;
  throw std::logic_error("a fake row was added before its table: call Table() first");
}

void FakeRefData::Put(refdata::TableKind kind, std::string key, bool flag) {
  rows_.push_back(Row{Current(kind), std::move(key), flag});
}

bool FakeRefData::Has(refdata::TableKind kind, const std::string& key, Date on, bool* flag) const {
  const refdata::TableVersion* table = TableFor(kind, on);
  if (table == nullptr) return false;
  for (const Row& row : rows_)
    if (row.table == table && row.key == key) {
      if (flag) *flag = row.flag;
      return true;
    }
  return false;
}

FakeRefData& FakeRefData::Ptp(std::string_view column1, std::string_view column2,
                              uint8_t indicator, std::string_view deleted,
                              std::string_view rationale) {
  // The setting is the table kind most recently started among the two PTP kinds.
  const refdata::TableVersion* table = nullptr;
  for (auto it = tables_.rbegin(); it != tables_.rend() && !table; ++it)
    if (it->kind == refdata::TableKind::kPtpPractitioner ||
        it->kind == refdata::TableKind::kPtpOutpatient)
      table = &*it;
  if (!table) throw std::logic_error("Ptp() before a PTP Table()");
  refdata::PtpEdit edit;
  edit.column1 = Code::Of(column1);
  edit.column2 = Code::Of(column2);
  if (deleted != "*") edit.deleted = MustDate(deleted);
  edit.modifier_indicator = indicator;
  edit.rationale = strings_.emplace_back(rationale);
  edit.table = table;
  // RefData's contract: a column 1's pairs come sorted by column 2.
  auto& pairs = ptp_[{table, edit.column1}];
  pairs.insert(std::upper_bound(pairs.begin(), pairs.end(), edit,
                                [](const refdata::PtpEdit& a, const refdata::PtpEdit& b) {
                                  return a.column2 < b.column2;
                                }),
               edit);
  return *this;
}

FakeRefData& FakeRefData::Mue(std::string_view code, uint32_t units, uint8_t mai,
                              std::string_view rationale) {
  const refdata::TableVersion* table = nullptr;
  for (auto it = tables_.rbegin(); it != tables_.rend() && !table; ++it)
    if (it->kind == refdata::TableKind::kMuePractitioner ||
        it->kind == refdata::TableKind::kMueOutpatient || it->kind == refdata::TableKind::kMueDme)
      table = &*it;
  if (!table) throw std::logic_error("Mue() before an MUE Table()");
  refdata::MueEdit edit;
  edit.code = Code::Of(code);
  edit.units = units;
  edit.mai = mai;
  edit.rationale = strings_.emplace_back(rationale);
  edit.table = table;
  mue_[{table, edit.code}] = edit;
  return *this;
}

FakeRefData& FakeRefData::AddOn(std::string_view primary, std::string_view add_on, uint8_t type) {
  const refdata::TableVersion* table = Current(refdata::TableKind::kAddOn);
  refdata::AddOnEdit edit;
  edit.add_on = Code::Of(add_on);
  if (primary != "CCCCC") edit.primary = Code::Of(primary);
  edit.type = type;
  edit.table = table;
  add_on_[{table, edit.add_on}].push_back(edit);
  return *this;
}

FakeRefData& FakeRefData::IcdCm(std::string_view code, bool billable) {
  Put(refdata::TableKind::kIcd10CmOrder, Code::Of(code).Str(), billable);
  return *this;
}
FakeRefData& FakeRefData::Pcs(std::string_view code) {
  Put(refdata::TableKind::kIcd10PcsOrder, Code::Of(code).Str());
  return *this;
}
FakeRefData& FakeRefData::Hcpcs(std::string_view code) {
  Put(refdata::TableKind::kHcpcs, Code::Of(code).Str());
  return *this;
}
FakeRefData& FakeRefData::Mce(refdata::MceList list, std::string_view code) {
  Put(refdata::TableKind::kMce, std::to_string(static_cast<int>(list)) + ":" + Code::Of(code).Str());
  return *this;
}
FakeRefData& FakeRefData::PoaExempt(std::string_view code) {
  Put(refdata::TableKind::kPoaExempt, Code::Of(code).Str());
  return *this;
}
FakeRefData& FakeRefData::InpatientOnly(std::string_view code) {
  Put(refdata::TableKind::kInpatientOnly, Code::Of(code).Str());
  return *this;
}

std::vector<refdata::CodeRange> FakeRefData::Ranges(const std::vector<std::string_view>& texts) {
  std::vector<refdata::CodeRange> out;
  for (const auto text : texts) {
    const size_t dash = text.find('-');
    const std::string_view from = text.substr(0, dash);
    const std::string_view to = dash == std::string_view::npos ? from : text.substr(dash + 1);
    out.push_back(refdata::CodeRange{Code::Of(from), Code::Of(to)});
  }
  return out;
}

FakeRefData& FakeRefData::Excludes1(std::string_view code, std::vector<std::string_view> ranges) {
  Current(refdata::TableKind::kIcd10CmTabular);
  auto& notes = notes_[Code::Of(code)];
  for (auto& range : Ranges(ranges)) notes.excludes1.push_back(range);
  return *this;
}

FakeRefData& FakeRefData::CodeFirst(std::string_view code, std::vector<std::string_view> ranges) {
  Current(refdata::TableKind::kIcd10CmTabular);
  auto& notes = notes_[Code::Of(code)];
  for (auto& range : Ranges(ranges)) notes.code_first.push_back(range);
  return *this;
}

std::vector<refdata::TableVersion> FakeRefData::Tables() const {
  return {tables_.begin(), tables_.end()};
}

const refdata::TableVersion* FakeRefData::TableFor(refdata::TableKind kind, Date on) const {
  for (const auto& table : tables_)
    if (table.kind == kind && InForce(table, on)) return &table;
  return nullptr;
}

const refdata::PtpEdit* FakeRefData::FindPtp(refdata::PtpSetting s, const Code& column1,
                                             const Code& column2, Date dos) const {
  for (const auto& edit : PtpByColumn1(s, column1, dos))
    if (edit.column2 == column2) {
      // The row active on the date when a pair has several (re-added after deletion).
      const bool active = (!edit.deleted || dos <= *edit.deleted);
      if (active) return &edit;
    }
  return nullptr;
}

std::span<const refdata::PtpEdit> FakeRefData::PtpByColumn1(refdata::PtpSetting s,
                                                            const Code& column1, Date dos) const {
  const auto kind = s == refdata::PtpSetting::kPractitioner ? refdata::TableKind::kPtpPractitioner
                                                             : refdata::TableKind::kPtpOutpatient;
  const refdata::TableVersion* table = TableFor(kind, dos);
  const auto it = ptp_.find({table, column1});
  if (table == nullptr || it == ptp_.end()) return {};
  return it->second;
}

const refdata::MueEdit* FakeRefData::FindMue(refdata::MueSetting s, const Code& code,
                                             Date dos) const {
  const auto kind = s == refdata::MueSetting::kPractitioner ? refdata::TableKind::kMuePractitioner
                    : s == refdata::MueSetting::kOutpatientHospital
                        ? refdata::TableKind::kMueOutpatient
                        : refdata::TableKind::kMueDme;
  const refdata::TableVersion* table = TableFor(kind, dos);
  const auto it = mue_.find({table, code});
  return table == nullptr || it == mue_.end() ? nullptr : &it->second;
}

std::span<const refdata::AddOnEdit> FakeRefData::AddOnFor(const Code& add_on, Date dos) const {
  const refdata::TableVersion* table = TableFor(refdata::TableKind::kAddOn, dos);
  const auto it = add_on_.find({table, add_on});
  if (table == nullptr || it == add_on_.end()) return {};
  return it->second;
}

bool FakeRefData::IcdCmKnown(const Code& code, Date on) const {
  return Has(refdata::TableKind::kIcd10CmOrder, code.Str(), on);
}
bool FakeRefData::IcdCmBillable(const Code& code, Date on) const {
  bool billable = false;
  return Has(refdata::TableKind::kIcd10CmOrder, code.Str(), on, &billable) && billable;
}
bool FakeRefData::IcdPcsValid(const Code& code, Date on) const {
  return Has(refdata::TableKind::kIcd10PcsOrder, code.Str(), on);
}
bool FakeRefData::HcpcsValid(const Code& code, Date on) const {
  return Has(refdata::TableKind::kHcpcs, code.Str(), on);
}
bool FakeRefData::InMceList(refdata::MceList list, const Code& code, Date on) const {
  return Has(refdata::TableKind::kMce, std::to_string(static_cast<int>(list)) + ":" + code.Str(),
             on);
}
bool FakeRefData::PoaExempt(const Code& code, Date on) const {
  return Has(refdata::TableKind::kPoaExempt, code.Str(), on);
}
bool FakeRefData::CptValid(const Code& code, Date on) const {
  return Has(refdata::TableKind::kCpt, code.Str(), on);
}
bool FakeRefData::InpatientOnly(const Code& code, Date on) const {
  return Has(refdata::TableKind::kInpatientOnly, code.Str(), on);
}

const refdata::TabularNotes* FakeRefData::Notes(const Code& code) const {
  // The nearest ancestor (or the code itself) with notes; the real store merges them.
  for (size_t length = code.Size(); length >= 3; --length) {
    const auto it = notes_.find(Code::Of(code.View().substr(0, length)));
    if (it != notes_.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace coderaudit::rules::testing
