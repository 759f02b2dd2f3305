#include "audit/ingest/mapping/field_checks.hpp"

#include <set>
#include <utility>

#include "audit/ingest/csv/encounter_csv.hpp"

namespace coderaudit::ingest {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

namespace {

std::string StripDots(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '.') s.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  return s;
}

}  // namespace

std::string ParseIcd9Diagnosis(std::string_view text, Code& out) {
  const std::string s = StripDots(text);
  bool ok = false;
  if (!s.empty()) {
    const std::string_view rest = std::string_view(s).substr(1);
    if (s[0] == 'V') ok = rest.size() >= 2 && rest.size() <= 4 && AllDigits(rest);
    else if (s[0] == 'E') ok = rest.size() >= 3 && rest.size() <= 4 && AllDigits(rest);
    else ok = s.size() >= 3 && s.size() <= 5 && AllDigits(s);
  }
  if (!ok) return "not an ICD-9-CM diagnosis (3-5 digits, V + 2-4 digits or E + 3-4 digits)";
  out = *Code::Parse(s);
  return "";
}

std::string ParseIcd9Procedure(std::string_view text, Code& out) {
  const std::string s = StripDots(text);
  if (s.size() < 2 || s.size() > 4 || !AllDigits(s))
    return "not an ICD-9-CM procedure (2-4 digits)";
  out = *Code::Parse(s);
  return "";
}

std::string ParseOtherCode(std::string_view text, Code& out) {
  auto code = Code::Parse(text);
  if (!code) return "must be 1-7 letters or digits (dots allowed)";
  out = *code;
  return "";
}

std::string ParseAmount(std::string_view text, int64_t& cents) {
  static const std::string kWhy =
      "must be a non-negative amount with at most 2 decimals (at most 12 digits before the point)";
  int64_t whole = 0, frac = 0;
  size_t i = 0, digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (digits >= 12) return kWhy;
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      ++frac_digits;
      if (frac_digits <= 2) frac = frac * 10 + (text[i] - '0');
      else if (text[i] != '0') return kWhy;  // "12.500" is fine, "12.505" is not cents
    }
    if (frac_digits == 1) frac *= 10;
  }
  if (i != text.size() || digits + frac_digits == 0) return kWhy;
  cents = whole * 100 + frac;
  return "";
}

std::string ParseQuantity(std::string_view text, double& out) {
  static const std::string kWhy = "must be a number greater than 0 and at most 99999";
  double whole = 0, scale = 1, frac = 0;
  size_t i = 0, digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (digits >= 9) return kWhy;
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (++frac_digits > 6) return kWhy;
      scale /= 10;
      frac += (text[i] - '0') * scale;
    }
  }
  const double v = whole + frac;
  if (i != text.size() || digits + frac_digits == 0 || !(v > 0) || v > 99999) return kWhy;
  out = v;
  return "";
}

std::optional<Date> ParseCcyymmdd(std::string_view t) {
  if (t.size() != 8 || !AllDigits(t)) return std::nullopt;
  const std::string iso = std::string(t.substr(0, 4)) + "-" + std::string(t.substr(4, 2)) + "-" +
                          std::string(t.substr(6, 2));
  return ParseIsoDate(iso);
}

std::optional<EncounterProblem> CheckAssembledEncounter(const Encounter& e) {
  auto problem = [&](std::string field, std::string reason, int index = -1) {
    const uint32_t line =
        index >= 0 ? e.lines[static_cast<size_t>(index)].source_line : e.source_line;
    return EncounterProblem{line, index, std::move(field), std::move(reason)};
  };
  if (!IsIdentifier(e.id)) return problem("encounter_id", "must be 1-64 printable characters");
  if (!IsIdentifier(e.patient_id))
    return problem("patient_id", "is required (1-64 printable characters)");
  if (!IsIdentifier(e.provider_id))
    return problem("provider_id", "is required (1-64 printable characters)");
  if (!IsIdentifier(e.coder_id)) return problem("coder_id", "is required (1-64 printable characters)");
  if (e.through_date < e.from_date) return problem("through_date", "is before from_date");
  if (e.birth_date && *e.birth_date > e.from_date)
    return problem("birth_date", "is after from_date");
  if (!e.drg.empty() && (e.drg.size() != 3 || !AllDigits(e.drg)))
    return problem("drg", "must be 3 digits");
  if (!e.discharge_status.empty() &&
      (e.discharge_status.size() != 2 || !AllDigits(e.discharge_status)))
    return problem("discharge_status", "must be 2 digits");
  if (e.lines.empty()) return problem("lines", "encounter has no lines");
  std::set<std::pair<CodeType, uint16_t>> seqs;
  for (size_t i = 0; i < e.lines.size(); ++i) {
    const CodedLine& l = e.lines[i];
    const int index = static_cast<int>(i);
    if (l.type != CodeType::kHcpcs) {
      if (l.seq < 1 || l.seq > 999) return problem("seq", "must be a whole number 1-999", index);
      if (!seqs.insert({l.type, l.seq}).second)
        return problem("seq", "repeats a sequence number of this encounter", index);
    }
    if (l.service_date && (*l.service_date < e.from_date || *l.service_date > e.through_date))
      return problem("service_date", "outside from_date..through_date", index);
    if (l.type == CodeType::kHcpcs && !(l.units > 0 && l.units <= 99999))
      return problem("units", "must be a number greater than 0 and at most 99999", index);
  }
  if (const auto dx = e.DiagnosesWithoutPrincipal())
    return problem("seq", std::string(kNoPrincipalDiagnosis), static_cast<int>(*dx));
  return std::nullopt;
}

}  // namespace coderaudit::ingest
