#include "audit/ingest/csv/csv_reader.hpp"

namespace coderaudit::ingest {

int CsvReader::Get() {
  if (pos_ == end_) {
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    end_ = static_cast<size_t>(in_.gcount());
    pos_ = 0;
    if (end_ == 0) return -1;
  }
  return static_cast<unsigned char>(buf_[pos_++]);
}

int CsvReader::Peek() {
  const int c = Get();
  if (c != -1) --pos_;
  return c;
}

void CsvReader::SkipToEndOfLine() {
  for (int c = Get(); c != -1; c = Get()) {
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

bool CsvReader::Next(CsvRecord& rec) {
  rec.fields.clear();
  rec.error.clear();
  rec.raw.clear();

  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark from spreadsheet exports is not part of the first field.
    if (Peek() == 0xEF) {
      Get();
      if (Get() != 0xBB || Get() != 0xBF) {
        rec.line = line_;
        rec.error = "invalid byte at start of file";
        SkipToEndOfLine();
        return true;
      }
    }
  }

  // Skip blank lines.
  for (;;) {
    const int c = Peek();
    if (c == '\r') {
      Get();
      continue;
    }
    if (c == '\n') {
      Get();
      ++line_;
      continue;
    }
    if (c == -1) return false;
    break;
  }

  rec.line = line_;
  size_t bytes = 0;
  std::string field;
  auto fail = [&](std::string why, bool at_line_end) {
    rec.error = std::move(why);
    rec.fields.clear();
    if (!at_line_end) SkipToEndOfLine();
    return true;
  };
  auto keep_raw = [&](int c) {
    if (rec.raw.size() < CsvReader::kMaxRawKept) rec.raw.push_back(static_cast<char>(c));
  };

  for (;;) {
    int c = Get();
    // Start of a field.
    if (c == '"') {
      keep_raw(c);
      // Quoted field: "" is a quote; newlines are data.
      for (;;) {
        c = Get();
        if (c == -1) return fail("unterminated quoted field (starts line " +
                                     std::to_string(rec.line) + ")", true);
        if (++bytes > kMaxRecordBytes) return fail("record longer than 1 MiB", false);
        keep_raw(c);
        if (c == '\0') return fail("NUL byte in field", false);
        if (c == '\n') ++line_;
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            field.push_back('"');
            continue;
          }
          break;
        }
        field.push_back(static_cast<char>(c));
      }
      c = Get();
      if (c == '\r' && Peek() == '\n') c = Get();
      if (c != ',' && c != '\n' && c != -1)
        return fail("unexpected character after closing quote", c == '\n');
    } else {
      while (c != ',' && c != '\n' && c != -1) {
        if (++bytes > kMaxRecordBytes) return fail("record longer than 1 MiB", false);
        keep_raw(c);
        if (c == '"') return fail("quote inside unquoted field", false);
        if (c == '\0') return fail("NUL byte in field", false);
        if (c == '\r') {
          if (Peek() == '\n') {
            c = Get();
            break;
          }
          return fail("bare carriage return inside field", false);
        }
        field.push_back(static_cast<char>(c));
        c = Get();
      }
    }
    rec.fields.push_back(std::move(field));
    field.clear();
    if (c == ',') {
      keep_raw(c);
      continue;
    }
    if (c == '\n') ++line_;
    return true;  // '\n' or end of input ends the record
  }
}

}  // namespace coderaudit::ingest
