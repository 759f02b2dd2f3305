#include "audit/ingest/json/json_scan.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace coderaudit::ingest {

namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Scanner {
 public:
  Scanner(std::string_view text, const JsonLimits& limits) : t_(text), limits_(limits) {}

  std::optional<JsonSyntaxError> Run() {
    enum class State { kValue, kAfterValue, kKey };
    State state = State::kValue;
    while (true) {
      SkipWs();
      if (state == State::kValue) {
        if (i_ == t_.size()) return Error(t_.empty() || Blank() ? "empty document" : "unexpected end of document");
        const char c = t_[i_];
        if (c == '{' || c == '[') {
          if (stack_.size() >= limits_.max_depth)
            return Error("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
          stack_.push_back(c);
          if (c == '{') Keys().clear();
          ++i_;
          SkipWs();
          if (i_ < t_.size() && t_[i_] == (c == '{' ? '}' : ']')) {
            ++i_;
            stack_.pop_back();
            state = State::kAfterValue;
          } else {
            state = c == '{' ? State::kKey : State::kValue;
          }
          continue;
        }
        if (c == '"') {
          if (auto e = String(nullptr)) return e;
        } else if (c == '-' || IsDigit(c)) {
          if (auto e = Number()) return e;
        } else if (!Literal("true") && !Literal("false") && !Literal("null")) {
          return Error("unexpected character where a value should be");
        }
        state = State::kAfterValue;
      } else if (state == State::kKey) {
        if (i_ == t_.size()) return Error("unexpected end of document");
        if (t_[i_] != '"') return Error("expected a member name in double quotes");
        const size_t at = i_;
        std::string_view key;
        if (auto e = String(&key)) return e;
        Keys().emplace_back(key, at);
        SkipWs();
        if (i_ == t_.size() || t_[i_] != ':') return Error("expected ':' after a member name");
        ++i_;
        state = State::kValue;
      } else {  // kAfterValue
        if (stack_.empty()) {
          if (i_ != t_.size()) return Error("unexpected text after the JSON value");
          return std::nullopt;
        }
        if (i_ == t_.size()) return Error("unexpected end of document");
        const char open = stack_.back();
        const char c = t_[i_];
        if (c == ',') {
          ++i_;
          state = open == '{' ? State::kKey : State::kValue;
        } else if (c == (open == '{' ? '}' : ']')) {
          if (open == '{')
            if (auto e = Duplicates()) return e;
          ++i_;
          stack_.pop_back();
        } else {
          return Error(open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
      }
    }
  }

 private:
  using Key = std::pair<std::string_view, size_t>;

  std::optional<JsonSyntaxError> Error(std::string reason) const {
    return JsonSyntaxError{i_, std::move(reason)};
  }

  bool Blank() const {
    return std::all_of(t_.begin(), t_.end(), IsWs);
  }

  void SkipWs() {
    while (i_ < t_.size() && IsWs(t_[i_])) ++i_;
  }

  // The member names of the object open at the current depth (vectors reused).
  std::vector<Key>& Keys() {
    if (keys_.size() < stack_.size()) keys_.resize(stack_.size());
    return keys_[stack_.size() - 1];
  }

  std::optional<JsonSyntaxError> Duplicates() {
    auto& keys = Keys();
    std::sort(keys.begin(), keys.end());
    for (size_t k = 1; k < keys.size(); ++k) {
      if (keys[k].first == keys[k - 1].first) {
        i_ = keys[k].second;  // the later of the two (sorted by name, then position)
        return Error("duplicate member name in an object");
      }
    }
    keys.clear();
    return std::nullopt;
  }

  bool Literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  // At the opening quote; leaves i_ after the closing one. `raw`: the text between quotes.
  std::optional<JsonSyntaxError> String(std::string_view* raw) {
    const size_t start = ++i_;
    while (true) {
      if (i_ == t_.size()) return Error("unterminated string");
      if (i_ - start > limits_.max_string_bytes)
        return Error("string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
      const auto c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') break;
      if (c < 0x20) return Error("control character in a string (escape it)");
      if (c == '\\') {
        ++i_;
        if (i_ == t_.size()) return Error("unterminated string");
        const char e = t_[i_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i_ + k >= t_.size() || !IsHex(t_[i_ + k])) return Error("bad \\u escape in a string");
          i_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return Error("bad escape in a string");
        }
      }
      ++i_;
    }
    if (raw) *raw = t_.substr(start, i_ - start);
    ++i_;
    return std::nullopt;
  }

  // RFC 8259 number. Poco refuses integers beyond 64 bits and doubles that overflow, and
  // would fail the whole parse without a position: refuse them here, with one.
  std::optional<JsonSyntaxError> Number() {
    const size_t start = i_;
    if (t_[i_] == '-') ++i_;
    size_t int_digits = 0;
    if (i_ < t_.size() && t_[i_] == '0') {
      ++i_;
      int_digits = 1;
    } else {
      while (i_ < t_.size() && IsDigit(t_[i_])) ++i_, ++int_digits;
    }
    if (int_digits == 0) return Error("bad number");
    bool plain_integer = true;
    if (i_ < t_.size() && t_[i_] == '.') {
      plain_integer = false;
      ++i_;
      size_t frac = 0;
      while (i_ < t_.size() && IsDigit(t_[i_])) ++i_, ++frac;
      if (frac == 0) return Error("bad number (digits must follow '.')");
    }
    long exponent = 0;
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      plain_integer = false;
      ++i_;
      bool negative = false;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) negative = t_[i_++] == '-';
      size_t digits = 0;
      while (i_ < t_.size() && IsDigit(t_[i_])) {
        if (exponent < 100000) exponent = exponent * 10 + (t_[i_] - '0');
        ++i_, ++digits;
      }
      if (digits == 0) return Error("bad number (digits must follow the exponent)");
      if (negative) exponent = -exponent;
    }
    if (i_ - start > 64) return Error("number longer than 64 characters");
    if (plain_integer ? int_digits > 18
                      : exponent + static_cast<long>(int_digits) > 300 || exponent < -300) {
      i_ = start;
      return Error("number out of range");
    }
    return std::nullopt;
  }

  std::string_view t_;
  const JsonLimits& limits_;
  size_t i_ = 0;
  std::string stack_;               // '{' or '[' per open container
  std::vector<std::vector<Key>> keys_;  // per depth: member names of the open object
};

}  // namespace

std::optional<JsonSyntaxError> CheckJsonSyntax(std::string_view text, const JsonLimits& limits) {
  return Scanner(text, limits).Run();
}

}  // namespace coderaudit::ingest
