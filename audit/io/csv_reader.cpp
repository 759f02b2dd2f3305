#include "audit/io/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace coderaudit::io {

// The buffer holds any record of kMaxRecordBytes after compaction, so a record is parsed
// from one contiguous span and fields can be views into it.
CsvReader::CsvReader(std::istream& in, char delimiter, char quote, size_t buffer_bytes)
    : sb_(*in.rdbuf()), delimiter_(delimiter), quote_(quote),
      cap_(std::max(buffer_bytes, kMaxRecordBytes + 4)) {
  buf_.reset(new char[cap_]);
  for (unsigned char c : {static_cast<unsigned char>(delimiter), static_cast<unsigned char>('\n'),
                          static_cast<unsigned char>('\r'), static_cast<unsigned char>('\0')})
    special_[c] = true;
  if (quote_) special_[static_cast<unsigned char>(quote_)] = true;
  unescaped_.reserve(kMaxRecordBytes + 2);
}

bool CsvReader::Fill() {
  if (eof_) return false;
  const size_t keep = std::min(record_start_, pos_);
  if (keep > 0) {
    std::memmove(buf_.get(), buf_.get() + keep, end_ - keep);
    end_ -= keep;
    pos_ -= keep;
    record_start_ -= keep;
  }
  size_t got = 0;
  while (end_ < cap_) {
    const auto n = sb_.sgetn(buf_.get() + end_, static_cast<std::streamsize>(cap_ - end_));
    if (n <= 0) break;
    end_ += static_cast<size_t>(n);
    got += static_cast<size_t>(n);
  }
  if (got == 0) eof_ = true;
  return got > 0;
}

void CsvReader::SkipLineFrom(size_t from) {
  pos_ = from;
  record_start_ = pos_;
  for (;;) {
    const char* b = buf_.get();
    if (const void* nl = pos_ < end_ ? std::memchr(b + pos_, '\n', end_ - pos_) : nullptr) {
      pos_ = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
      ++line_;
      return;
    }
    pos_ = record_start_ = end_;
    if (!Fill()) return;
  }
}

void CsvReader::Fail(CsvView& view, std::string why, size_t from) {
  view.error = std::move(why);
  KeepCompleteFields(view);
  const char* b = buf_.get() + record_start_;
  size_t n = std::min(end_ - record_start_, kMaxRawKept);
  if (const void* nl = std::memchr(b, '\n', n)) n = static_cast<size_t>(static_cast<const char*>(nl) - b);
  if (n > 0 && b[n - 1] == '\r') --n;
  raw_kept_.assign(b, n);
  view.raw = raw_kept_;
  if (from < end_ || !eof_) SkipLineFrom(from);
  else pos_ = record_start_ = end_;
}

// A malformed record's fields before the failing one, copied (the buffer moves on).
void CsvReader::KeepCompleteFields(CsvView& view) {
  view.error_field = static_cast<uint32_t>(view.fields.size() + 1);
  error_fields_.assign(view.fields.begin(), view.fields.end());
  view.complete_fields.assign(error_fields_.begin(), error_fields_.end());
  view.fields.clear();
}

bool CsvReader::Next(CsvRecord& record) {
  CsvView view;
  if (!NextView(view)) return false;
  record.line = view.line;
  record.error = std::move(view.error);
  record.error_field = view.error_field;
  record.complete_fields.assign(view.complete_fields.begin(), view.complete_fields.end());
  record.raw.assign(view.raw);
  record.fields.resize(view.fields.size());
  for (size_t i = 0; i < view.fields.size(); ++i) record.fields[i].assign(view.fields[i]);
  return true;
}

bool CsvReader::NextView(CsvView& view) {
  view.fields.clear();
  view.error.clear();
  view.error_field = 0;
  view.complete_fields.clear();
  view.raw = {};
  if (!started_) {
    started_ = true;
    while (end_ - pos_ < 3 && Fill()) {
    }
    if (end_ > pos_ && static_cast<unsigned char>(buf_[pos_]) == 0xEF) {  // UTF-8 BOM
      if (end_ - pos_ >= 3 && static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
          static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
        pos_ += 3;
      } else {
        view.line = line_;
        record_start_ = pos_;
        Fail(view, "invalid byte at start of file", pos_);
        return true;
      }
    }
  }
  for (;;) {  // blank lines
    if (pos_ == end_ && !Fill()) return false;
    const char c = buf_[pos_];
    if (c == '\r') { ++pos_; continue; }
    if (c == '\n') { ++pos_; ++line_; continue; }
    break;
  }
  record_start_ = pos_;
  const uint32_t start_line = line_;
  for (;;) {
    view.line = line_ = start_line;
    view.fields.clear();
    unescaped_.clear();
    if (ParseRecord(view) == Scan::kDone) return true;
    // The record runs past the buffered bytes: move it to the front, read more, rescan.
    pos_ = record_start_;
    if (!Fill()) eof_ = true;
  }
}

CsvReader::Scan CsvReader::ParseRecord(CsvView& view) {
  const char* b = buf_.get();
  // Locals, not members: stores into view.fields could alias members, which would make
  // the compiler reload them for every byte and field.
  const size_t end = end_;
  const bool eof = eof_;
  const char quote = quote_, delim = delimiter_;
  const bool* special = special_;
  const size_t start = record_start_;
  size_t i = start;
  auto too_long = [&](size_t at) { return at - start > kMaxRecordBytes; };
  for (;;) {
    if (view.fields.size() >= kMaxFields) {
      Fail(view, "more than 100000 fields in a record", i);
      return Scan::kDone;
    }
    std::string_view field;
    if (i < end && quote && b[i] == quote) {
      const size_t open = ++i;
      size_t segment = open;  // start of text not yet copied when the field has escapes
      const size_t field_from = unescaped_.size();
      bool escaped = false;
      for (;;) {
        while (i < end && b[i] != quote && b[i] != '\n' && b[i] != '\0') ++i;
        if (too_long(i)) {
          Fail(view, "record longer than 1 MiB", i);
          return Scan::kDone;
        }
        if (i == end) {
          if (!eof) return Scan::kNeedMore;
          view.error = "unterminated quoted field (starts line " + std::to_string(view.line) + ")";
          KeepCompleteFields(view);
          raw_kept_.assign(b + start, std::min(end - start, kMaxRawKept));
          view.raw = raw_kept_;
          pos_ = record_start_ = end;
          return Scan::kDone;
        }
        if (b[i] == '\0') {
          Fail(view, "NUL byte in field", i + 1);
          return Scan::kDone;
        }
        if (b[i] == '\n') {
          ++line_;
          ++i;
          continue;
        }
        // A quote: doubled means a literal quote, single closes the field.
        if (i + 1 == end && !eof) return Scan::kNeedMore;
        if (i + 1 < end && b[i + 1] == quote) {
          unescaped_.append(b + segment, i + 1 - segment);
          escaped = true;
          i += 2;
          segment = i;
          continue;
        }
        break;
      }
      if (escaped) {
        unescaped_.append(b + segment, i - segment);
        field = std::string_view(unescaped_).substr(field_from);
      } else {
        field = std::string_view(b + open, i - open);
      }
      ++i;  // closing quote
      if (i == end && !eof) return Scan::kNeedMore;
      if (i < end && b[i] == '\r') {
        if (i + 1 == end && !eof) return Scan::kNeedMore;
        if (i + 1 < end && b[i + 1] == '\n') {
          ++i;
        } else {
          Fail(view, "unexpected character after closing quote", i + 1);
          return Scan::kDone;
        }
      }
      if (i < end && b[i] != delim && b[i] != '\n') {
        Fail(view, "unexpected character after closing quote", i);
        return Scan::kDone;
      }
    } else {
      const size_t begin = i;
      while (i < end && !special[static_cast<unsigned char>(b[i])]) ++i;
      if (too_long(i)) {
        Fail(view, "record longer than 1 MiB", i);
        return Scan::kDone;
      }
      if (i == end && !eof) return Scan::kNeedMore;
      field = std::string_view(b + begin, i - begin);
      if (i < end) {
        const char c = b[i];
        if (quote && c == quote) {
          Fail(view, "quote inside unquoted field", i + 1);
          return Scan::kDone;
        }
        if (c == '\0') {
          Fail(view, "NUL byte in field", i + 1);
          return Scan::kDone;
        }
        if (c == '\r') {
          if (i + 1 == end && !eof) return Scan::kNeedMore;
          if (i + 1 < end && b[i + 1] == '\n') {
            ++i;
          } else {
            Fail(view, "bare carriage return inside field", i + 1);
            return Scan::kDone;
          }
        }
      }
    }
    view.fields.push_back(field);
    if (i < end && b[i] == delim) {
      ++i;
      continue;
    }
    // End of record: '\n' or end of input.
    size_t text_end = i;
    if (text_end > start && b[text_end - 1] == '\r' && i < end) --text_end;
    view.raw = std::string_view(b + start, std::min(text_end - start, kMaxRawKept));
    if (i < end) {
      ++line_;
      ++i;
    }
    pos_ = record_start_ = i;
    return Scan::kDone;
  }
}

}  // namespace coderaudit::io
