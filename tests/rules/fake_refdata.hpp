#pragma once
// An in-memory refdata::RefData for unit tests of the table-backed check kinds: each row
// belongs to the table version added last before it, and every lookup answers from the
// version in force on the date asked (as the contract says the real store does).
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/refdata/refdata.hpp"

namespace coderaudit::rules::testing {

class FakeRefData final : public refdata::RefData {
 public:
  // Starts a table version; rows added next belong to it. Dates are YYYY-MM-DD.
  FakeRefData& Table(refdata::TableKind kind, std::string version, std::string_view from,
                     std::optional<std::string_view> to = std::nullopt);

  // deleted: "*" or YYYY-MM-DD (the last day the pair applies).
  FakeRefData& Ptp(std::string_view column1, std::string_view column2, uint8_t indicator,
                   std::string_view deleted = "*",
                   std::string_view rationale = "Mutually exclusive procedures");
  FakeRefData& Mue(std::string_view code, uint32_t units, uint8_t mai,
                   std::string_view rationale = "Clinical: Data");
  // primary "CCCCC": any primary per instruction.
  FakeRefData& AddOn(std::string_view primary, std::string_view add_on, uint8_t type);
  FakeRefData& IcdCm(std::string_view code, bool billable = true);
  FakeRefData& Pcs(std::string_view code);
  FakeRefData& Hcpcs(std::string_view code);
  FakeRefData& Mce(refdata::MceList list, std::string_view code);
  FakeRefData& PoaExempt(std::string_view code);
  FakeRefData& InpatientOnly(std::string_view code);
  // Ranges as the tabular writes them: "E10" (a category), "O00-O9A".
  FakeRefData& Excludes1(std::string_view code, std::vector<std::string_view> ranges);
  FakeRefData& CodeFirst(std::string_view code, std::vector<std::string_view> ranges);

  std::vector<refdata::TableVersion> Tables() const override;
  const refdata::TableVersion* TableFor(refdata::TableKind kind, Date on) const override;
  const refdata::PtpEdit* FindPtp(refdata::PtpSetting s, const Code& column1, const Code& column2,
                                  Date dos) const override;
  std::span<const refdata::PtpEdit> PtpByColumn1(refdata::PtpSetting s, const Code& column1,
                                                 Date dos) const override;
  const refdata::MueEdit* FindMue(refdata::MueSetting s, const Code& code, Date dos) const override;
  std::span<const refdata::AddOnEdit> AddOnFor(const Code& add_on, Date dos) const override;
  bool IcdCmKnown(const Code& code, Date on) const override;
  bool IcdCmBillable(const Code& code, Date on) const override;
  bool IcdPcsValid(const Code& code, Date on) const override;
  bool HcpcsValid(const Code& code, Date on) const override;
  bool CptValid(const Code& code, Date on) const override;
  bool InMceList(refdata::MceList list, const Code& code, Date on) const override;
  bool PoaExempt(const Code& code, Date on) const override;
  bool InpatientOnly(const Code& code, Date on) const override;
  const refdata::TabularNotes* Notes(const Code& code) const override;

 private:
  struct Row {
    const refdata::TableVersion* table;
    std::string key;
    bool flag = true;
  };
  const refdata::TableVersion* Current(refdata::TableKind kind) const;
  bool Has(refdata::TableKind kind, const std::string& key, Date on, bool* flag = nullptr) const;
  void Put(refdata::TableKind kind, std::string key, bool flag = true);
  static std::vector<refdata::CodeRange> Ranges(const std::vector<std::string_view>& texts);

  std::deque<refdata::TableVersion> tables_;  // stable addresses
  std::vector<Row> rows_;
  std::deque<std::string> strings_;
  // Keyed by table version and code, so spans and pointers stay valid.
  std::map<std::pair<const refdata::TableVersion*, Code>, std::vector<refdata::PtpEdit>> ptp_;
  std::map<std::pair<const refdata::TableVersion*, Code>, refdata::MueEdit> mue_;
  std::map<std::pair<const refdata::TableVersion*, Code>, std::vector<refdata::AddOnEdit>> add_on_;
  std::map<Code, refdata::TabularNotes> notes_;
};

}  // namespace coderaudit::rules::testing
