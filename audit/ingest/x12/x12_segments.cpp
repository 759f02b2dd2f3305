#include "audit/ingest/x12/x12_segments.hpp"

#include <array>
#include <cstring>

namespace coderaudit::ingest::x12 {

namespace {

constexpr size_t kBufferBytes = 64 * 1024;  // segments longer than this are refused anyway
constexpr size_t kIsaBytes = 106;   // fixed width, terminator included
constexpr size_t kIsaScan = 512;    // how far a malformed ISA is searched for its terminator
// Offsets of the 16 element separators in a fixed-width ISA.
constexpr std::array<size_t, 16> kIsaSeparators = {3,  6,  17, 20, 31, 34,  50,  53,
                                                   69, 76, 81, 83, 89, 99, 101, 103};
constexpr std::array<size_t, 16> kIsaWidths = {2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1};

bool IsAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// A usable delimiter is printable or a control character, but never a letter, a digit
// or a space (those occur inside data).
bool UsableDelimiter(char c) { return !IsAlnum(c) && c != ' ' && c != '\0'; }

std::string CharName(char c) {
  if (c == '\n') return "newline";
  if (c == '\r') return "carriage return";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static const char* kHex = "0123456789ABCDEF";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
  }
  return std::string("'") + c + "'";
}

}  // namespace

std::string_view Component(std::string_view element, char separator, size_t j) {
  size_t start = 0;
  for (size_t k = 1; k < j; ++k) {
    const size_t p = element.find(separator, start);
    if (p == std::string_view::npos) return {};
    start = p + 1;
  }
  const size_t end = element.find(separator, start);
  return element.substr(start, end == std::string_view::npos ? element.size() - start : end - start);
}

size_t ComponentCount(std::string_view element, char separator) {
  if (element.empty()) return 0;
  size_t n = 1;
  for (char c : element)
    if (c == separator) ++n;
  return n;
}

bool IsValidSegmentId(std::string_view id) {
  if (id.size() < 2 || id.size() > 3 || id[0] < 'A' || id[0] > 'Z') return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

SegmentReader::SegmentReader(std::istream& in) : in_(in), buffer_(kBufferBytes) {}

bool SegmentReader::Fill(size_t need) {
  if (Available() >= need) return true;
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, Available());
    consumed_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  while (end_ < need && !eof_) {
    in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
    const auto got = static_cast<size_t>(in_.gcount());
    end_ += got;
    if (got == 0) eof_ = true;
  }
  return end_ >= need;
}

void SegmentReader::Split(Segment& seg) const {
  seg.elements.clear();
  // One pass over the bytes: segments are short, a memchr per element costs more.
  const std::string_view text = seg.text;
  const char el = delimiters_.element;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == el) {
      seg.elements.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  seg.elements.push_back(text.substr(start));
}

bool SegmentReader::ReadIsa(Segment& seg) {
  seg.isa = true;
  Fill(kIsaScan);
  const char* b = buffer_.data() + pos_;
  const size_t avail = Available();
  const char el = b[3];
  auto fail = [&](std::string why) {
    seg.text.assign(b, avail < kIsaBytes ? avail : kIsaBytes);
    seg.problem = std::move(why) + "; the rest of the file is not read";
    seg.fatal = fatal_ = true;
    pos_ = end_;  // drop what is buffered; Next() returns false from now on
    return true;
  };
  if (!UsableDelimiter(el))
    return fail("ISA: the element separator (byte 4) is " + CharName(el) +
                ", which cannot be a delimiter");

  // Fixed width first: the separators sit at known offsets and nowhere else.
  bool fixed = avail >= kIsaBytes;
  for (size_t i = 0; fixed && i < kIsaSeparators.size(); ++i) fixed = b[kIsaSeparators[i]] == el;
  for (size_t i = 4; fixed && i < kIsaSeparators.back(); ++i) {
    bool is_sep_pos = false;
    for (size_t s : kIsaSeparators) is_sep_pos = is_sep_pos || s == i;
    if (!is_sep_pos && b[i] == el) fixed = false;
  }
  size_t length = 0;  // ISA text length without the terminator
  std::string width_problem;
  if (fixed) {
    length = kIsaBytes - 1;
  } else {
    // Not fixed width: find the 16th separator so the interchange can still be skipped
    // (and its claims counted) with the right delimiters.
    size_t count = 0, p = 3, last = 3;
    std::array<size_t, 17> seps{};
    for (; p < avail && p < kIsaScan; ++p) {
      if (b[p] == el) {
        seps[count] = p;
        last = p;
        if (++count == 16) break;
      }
    }
    if (count < 16 || last + 2 >= avail)
      return fail(avail < kIsaBytes ? "ISA header is truncated (" + std::to_string(avail) +
                                          " bytes, 106 required)"
                                    : "ISA header is malformed: it does not have 16 elements "
                                      "followed by the segment terminator");
    length = last + 2;
    seps[16] = last + 2;  // ISA16 is one character wide
    for (size_t i = 0; i < 16; ++i) {
      const size_t width = seps[i + 1] - seps[i] - 1;
      if (width != kIsaWidths[i]) {
        width_problem = "ISA" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1) +
                        " has " + std::to_string(width) + " characters, " +
                        std::to_string(kIsaWidths[i]) +
                        " required: ISA fields are fixed width (106 bytes in all)";
        break;
      }
    }
    if (width_problem.empty())
      width_problem = "ISA header is not the fixed 106 bytes";
  }
  const char component = b[length - 1];
  const char terminator = b[length];
  if (!UsableDelimiter(component) || !UsableDelimiter(terminator) || component == el ||
      terminator == el || terminator == component)
    return fail("ISA declares unusable delimiters (element " + CharName(el) + ", component " +
                CharName(component) + ", segment " + CharName(terminator) +
                "): they must be distinct and not letters, digits or spaces");

  delimiters_.element = el;
  delimiters_.component = component;
  delimiters_.segment = terminator;
  seg.text.assign(b, length);
  pos_ += length + 1;
  Split(seg);
  const std::string_view isa11 = seg.Element(11);
  delimiters_.repetition =
      isa11.size() == 1 && UsableDelimiter(isa11[0]) && isa11[0] != el &&
              isa11[0] != component && isa11[0] != terminator
          ? isa11[0]
          : 0;
  have_delimiters_ = true;
  expect_isa_ = false;
  seg.problem = width_problem;
  return true;
}

bool SegmentReader::Next(Segment& seg) {
  for (;;) {
    seg.text.clear();
    seg.elements.clear();
    seg.problem.clear();
    seg.isa = seg.fatal = false;
    if (fatal_) return false;

    // Between segments: line breaks always; before an ISA any whitespace and a BOM.
    for (;;) {
      if (!Fill(1)) return false;
      const char c = buffer_[pos_];
      if (at_start_ && static_cast<unsigned char>(c) == 0xEF && Fill(3) &&
          static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB &&
          static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF) {
        pos_ += 3;
        continue;
      }
      at_start_ = false;
      if (c == '\r' || c == '\n' || ((expect_isa_ || !have_delimiters_) && IsBlank(c))) {
        ++pos_;
        continue;
      }
      break;
    }

    seg.ordinal = ++ordinal_;
    Fill(4);
    if (Available() >= 3 && std::memcmp(buffer_.data() + pos_, "ISA", 3) == 0 &&
        (Available() == 3 || !IsAlnum(buffer_[pos_ + 3]))) {
      if (Available() == 3) {
        seg.text = "ISA";
        seg.problem = "ISA header is truncated (3 bytes, 106 required); the rest of the file is not read";
        seg.isa = seg.fatal = fatal_ = true;
        pos_ = end_;
        return true;
      }
      return ReadIsa(seg);
    }
    if (!have_delimiters_) {
      Fill(64);
      seg.text.assign(buffer_.data() + pos_, Available() < 64 ? Available() : 64);
      seg.problem = "the file does not start with an ISA interchange header";
      seg.fatal = fatal_ = true;
      pos_ = end_;
      return true;
    }

    // An ordinary segment: everything up to the terminator.
    const char term = delimiters_.segment;
    bool terminated = false, oversized = false;
    for (;;) {
      if (Available() == 0 && !Fill(1)) break;
      const char* start = buffer_.data() + pos_;
      const void* hit = std::memchr(start, term, Available());
      const size_t n = hit ? static_cast<size_t>(static_cast<const char*>(hit) - start) : Available();
      const size_t room = kMaxSegmentBytes - (seg.text.size() < kMaxSegmentBytes ? seg.text.size() : kMaxSegmentBytes);
      if (n > room) oversized = true;
      seg.text.append(start, n < room ? n : room);
      pos_ += n;
      if (hit) {
        ++pos_;
        terminated = true;
        break;
      }
    }
    // Line breaks are not data unless they are delimiters: wrapped files (fixed-length
    // lines from mainframe exports) break segments anywhere.
    if (term != '\n' && term != '\r' && delimiters_.element != '\n' && delimiters_.element != '\r' &&
        delimiters_.component != '\n' && delimiters_.component != '\r') {
      // (A plain loop: find_first_of calls memchr once per character.)
      bool has_break = false;
      for (char c : seg.text) has_break = has_break || c == '\r' || c == '\n';
      if (has_break) {
        std::string cleaned;
        cleaned.reserve(seg.text.size());
        for (char c : seg.text)
          if (c != '\r' && c != '\n') cleaned.push_back(c);
        seg.text.swap(cleaned);
      }
    } else if (term == '\n' && !seg.text.empty() && seg.text.back() == '\r') {
      seg.text.pop_back();
    }
    if (seg.text.empty() && terminated) {  // "~~": an empty segment is not a segment
      --ordinal_;
      continue;
    }
    Split(seg);
    if (oversized)
      seg.problem = "segment is longer than " + std::to_string(kMaxSegmentBytes) + " bytes";
    else if (!terminated)
      seg.problem = "the file ends inside a segment (no segment terminator " + CharName(term) + ")";
    else if (!IsValidSegmentId(seg.Id()))
      seg.problem = "segment id is not 2-3 upper-case letters or digits";
    if (seg.problem.empty() && seg.Id() == "IEA") expect_isa_ = true;
    return true;
  }
}

}  // namespace coderaudit::ingest::x12
