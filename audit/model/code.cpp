#include "audit/model/code.hpp"

#include "audit/model/error.hpp"

namespace coderaudit {

std::optional<Code> Code::Parse(std::string_view text) {
  Code c;
  for (char ch : text) {
    if (ch == '.') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!ok || c.length_ == kMaxLength) return std::nullopt;
    c.chars_[c.length_++] = ch;
  }
  if (c.length_ == 0) return std::nullopt;
  return c;
}

Code Code::Of(std::string_view text) {
  auto c = Parse(text);
  if (!c) throw InputError("not a valid code: '" + std::string(text) + "'");
  return *c;
}

std::string Code::DottedIcd10Cm() const {
  std::string s(View());
  if (s.size() > 3) s.insert(3, ".");
  return s;
}

}  // namespace coderaudit
