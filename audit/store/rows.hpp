#pragma once
// What the store's files share (internal to audit/store): Poco rows to values, Poco errors
// to SystemError, and JSON string literals written directly.
#include <Poco/Data/RecordSet.h>
#include <Poco/Exception.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/model/error.hpp"

namespace coderaudit::store::detail {

[[noreturn]] inline void Rethrow(const Poco::Exception& e, const std::string& what) {
  throw SystemError("store: " + what + ": " + e.displayText());
}
// NULL reads as "" and 0.
inline std::string Str(Poco::Data::RecordSet& rs, const char* col) {
  const auto& v = rs[col];
  return v.isEmpty() ? std::string() : v.convert<std::string>();
}
inline int64_t Int(Poco::Data::RecordSet& rs, const char* col) {
  const auto& v = rs[col];
  return v.isEmpty() ? 0 : v.convert<Poco::Int64>();
}

// `text` as a JSON string literal: ", \ and \b \f \n \r \t escaped, other bytes below 0x20
// as \u00XX, all else as is. Upper-case hex is how Poco::JSON writes (findings' fired
// values); lower-case is how Python's json.dumps does (the trail's canonical form).
inline void AppendJsonString(std::string& out, std::string_view text, bool lower_hex = false) {
  const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace coderaudit::store::detail
