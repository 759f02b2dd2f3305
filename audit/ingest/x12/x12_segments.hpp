#pragma once
// X12 tokenizer: turns a byte stream into segments, one at a time, with bounded memory.
// Delimiters are read from each ISA header (element separator at byte 4, component
// separator ISA16, the segment terminator right after ISA16, repetition separator ISA11),
// so one file may hold interchanges with different delimiters.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace coderaudit::ingest::x12 {

struct Delimiters {
  char element = '*';
  char component = ':';
  char segment = '~';
  char repetition = 0;  // 0: none declared (ISA11 'U', the 4010 value)
};

struct Segment {
  uint64_t ordinal = 0;                    // 1-based position in the file (first ISA = 1)
  std::string text;                        // without terminator; at most kMaxSegmentBytes kept
  std::vector<std::string_view> elements;  // [0] is the segment id; views into `text`
  std::string problem;                     // non-empty: the segment is unusable (reason)
  bool isa = false;                        // an ISA header: delimiters were (re)read from it
  bool fatal = false;                      // nothing after this segment can be read

  std::string_view Id() const { return elements.empty() ? std::string_view() : elements[0]; }
  // Element i (1-based as in "CLM05"); empty when absent.
  std::string_view Element(size_t i) const {
    return i < elements.size() ? elements[i] : std::string_view();
  }
  size_t ElementCount() const { return elements.empty() ? 0 : elements.size() - 1; }
};

// Component j (1-based) of a composite element; empty when absent.
std::string_view Component(std::string_view element, char separator, size_t j);
// Number of components (at least 1 for a non-empty element).
size_t ComponentCount(std::string_view element, char separator);
// 2-3 characters, upper-case letters and digits, starting with a letter.
bool IsValidSegmentId(std::string_view id);

class SegmentReader {
 public:
  static constexpr size_t kMaxSegmentBytes = 64 * 1024;  // longer segments are refused

  explicit SegmentReader(std::istream& in);
  // Reads the next segment; false at the end of input or after a fatal segment. A
  // malformed segment comes back with `problem` set and reading goes on at the next
  // terminator. Throws nothing.
  bool Next(Segment& segment);
  const Delimiters& Current() const { return delimiters_; }
  uint64_t BytesConsumed() const { return consumed_ + pos_; }

 private:
  bool Fill(size_t need);  // makes `need` bytes available at pos_; false when input ends first
  size_t Available() const { return end_ - pos_; }
  bool ReadIsa(Segment& segment);
  void Split(Segment& segment) const;

  std::istream& in_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t consumed_ = 0;  // bytes dropped from the front of the buffer so far
  uint64_t ordinal_ = 0;
  Delimiters delimiters_;
  bool have_delimiters_ = false;
  bool expect_isa_ = true;  // at file start and after IEA: whitespace may precede ISA
  bool at_start_ = true;
  bool fatal_ = false;
  bool eof_ = false;
};

}  // namespace coderaudit::ingest::x12
