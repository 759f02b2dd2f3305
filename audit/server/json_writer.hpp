#pragma once
// A small streaming JSON writer for API answers: keys in the order written (stable,
// documented output), strings escaped per RFC 8259, invalid UTF-8 bytes replaced.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coderaudit::server {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view k) {
    Comma();
    Quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view v) { Comma(); Quote(v); return *this; }
  JsonWriter& Int(int64_t v) { Comma(); out_ += std::to_string(v); return *this; }
  JsonWriter& Bool(bool v) { Comma(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& Null() { Comma(); out_ += "null"; return *this; }
  JsonWriter& Raw(std::string_view json) { Comma(); out_ += json; return *this; }
  // Key + value in one call.
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& Field(std::string_view k, size_t v) { return Key(k).Int(static_cast<int64_t>(v)); }
  JsonWriter& Field(std::string_view k, bool v) { return Key(k).Bool(v); }
  const std::string& Str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c) {
    Comma();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& Close(char c) {
    out_ += c;
    if (!first_.empty()) first_.pop_back();
    return *this;
  }
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  void Quote(std::string_view s) {
    out_ += '"';
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      switch (c) {
        case '"': out_ += "\\\""; continue;
        case '\\': out_ += "\\\\"; continue;
        case '\n': out_ += "\\n"; continue;
        case '\r': out_ += "\\r"; continue;
        case '\t': out_ += "\\t"; continue;
        default: break;
      }
      if (c < 0x20) {
        static const char* hex = "0123456789abcdef";
        out_ += "\\u00";
        out_ += hex[c >> 4];
        out_ += hex[c & 15];
      } else if (c < 0x80) {
        out_ += static_cast<char>(c);
      } else {
        // Copy a well-formed UTF-8 sequence; anything else becomes U+FFFD.
        const size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok) {
          out_.append(s.substr(i, n));
          i += n - 1;
        } else {
          out_ += "\xEF\xBF\xBD";
        }
      }
    }
    out_ += '"';
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace coderaudit::server
