#include "audit/ingest/csv/csv_reader.hpp"

#include <string>

namespace coderaudit::ingest {

int CsvReader::Get() {
  const auto c = sb_.sbumpc();
  return c == std::char_traits<char>::eof() ? -1 : static_cast<unsigned char>(c);
}

int CsvReader::Peek() {
  const auto c = sb_.sgetc();
  return c == std::char_traits<char>::eof() ? -1 : static_cast<unsigned char>(c);
}

void CsvReader::SkipToEndOfLine() {
  for (int c = Get(); c != -1; c = Get()) {
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

bool CsvReader::Next(CsvRecord& row) {
  row.fields.clear();
  row.error.clear();
  row.raw.clear();
  if (!started_) {
    started_ = true;
    if (Peek() == 0xEF) {  // UTF-8 byte order mark from spreadsheet exports
      Get();
      if (Get() != 0xBB || Get() != 0xBF) {
        row.line = line_;
        row.error = "invalid byte at start of file";
        SkipToEndOfLine();
        return true;
      }
    }
  }
  for (;;) {  // blank lines
    const int c = Peek();
    if (c == '\r') { Get(); continue; }
    if (c == '\n') { Get(); ++line_; continue; }
    if (c == -1) return false;
    break;
  }
  row.line = line_;
  size_t bytes = 0;
  std::string field;
  auto fail = [&](std::string why, bool at_line_end) {
    row.error = std::move(why);
    row.fields.clear();
    if (!at_line_end) SkipToEndOfLine();
    return true;
  };
  auto keep = [&](int c) {
    if (row.raw.size() < CsvReader::kMaxRawKept) row.raw.push_back(static_cast<char>(c));
  };
  for (;;) {
    int c = Get();
    if (quote_ && c == quote_) {
      keep(c);
      for (;;) {
        c = Get();
        if (c == -1) return fail("unterminated quoted field (starts line " + std::to_string(row.line) + ")", true);
        if (++bytes > CsvReader::kMaxRecordBytes) return fail("record longer than 1 MiB", false);
        keep(c);
        if (c == '\0') return fail("NUL byte in field", false);
        if (c == '\n') ++line_;
        if (c == quote_) {
          if (Peek() == quote_) {
            Get();
            field.push_back(quote_);
            continue;
          }
          break;
        }
        field.push_back(static_cast<char>(c));
      }
      c = Get();
      if (c == '\r' && Peek() == '\n') c = Get();
      if (c != delimiter_ && c != '\n' && c != -1)
        return fail("unexpected character after closing quote", c == '\n');
    } else {
      while (c != delimiter_ && c != '\n' && c != -1) {
        if (++bytes > CsvReader::kMaxRecordBytes) return fail("record longer than 1 MiB", false);
        keep(c);
        if (quote_ && c == quote_) return fail("quote inside unquoted field", false);
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
    row.fields.push_back(std::move(field));
    field.clear();
    if (row.fields.size() > 100000) return fail("more than 100000 fields in a record", c == '\n');
    if (c == delimiter_) {
      keep(c);
      continue;
    }
    if (c == '\n') ++line_;
    return true;
  }
}

}  // namespace coderaudit::ingest
