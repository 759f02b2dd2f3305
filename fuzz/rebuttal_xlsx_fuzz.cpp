// libFuzzer target: the rebuttal workbook reader (reports::ReadRebuttalWorkbook: Poco::Zip
// + Poco's SAX parser). Random bytes rarely survive a zip's CRCs, so the input is the
// package's parts: "name NUL content NUL name NUL content ...", zipped here (stored) into
// a temporary file; an input that starts with "PK" is taken as the zip file itself.
// The reader's contract: entries and rejects, or InputError ("not a readable workbook");
// any other exception escaping is a finding (libFuzzer reports the abort).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>

#include "audit/model/error.hpp"
#include "reports/xlsx/rebuttal_reader.hpp"

namespace {

const std::string& TempPath() {
  static const std::string path = "/tmp/coderaudit-rebuttal-fuzz-" + std::to_string(getpid()) + ".xlsx";
  return path;
}

bool WritePackage(const std::string& input, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (input.rfind("PK", 0) == 0) {
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
    return static_cast<bool>(out);
  }
  try {
    Poco::Zip::Compress zip(out, true);
    size_t pos = 0;
    while (pos < input.size()) {
      const size_t name_end = input.find('\0', pos);
      if (name_end == std::string::npos) break;
      size_t content_end = input.find('\0', name_end + 1);
      if (content_end == std::string::npos) content_end = input.size();
      const std::string name = input.substr(pos, name_end - pos);
      std::istringstream content(input.substr(name_end + 1, content_end - name_end - 1));
      pos = content_end + 1;
      if (name.empty() || name.size() > 200 || name.back() == '/') continue;
      zip.addFile(content, Poco::DateTime(2024, 1, 1), Poco::Path(name, Poco::Path::PATH_UNIX),
                  Poco::Zip::ZipCommon::CM_STORE);
    }
    zip.close();
  } catch (const Poco::Exception&) {
    return false;  // a part name Poco::Zip will not write: not the reader's business
  }
  return static_cast<bool>(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (!WritePackage(input, TempPath())) return 0;
  std::vector<coderaudit::Reject> rejects;
  try {
    const auto entries = coderaudit::reports::ReadRebuttalWorkbook(TempPath(), rejects);
    for (const auto& e : entries)
      if (e.ref == 0) {
        std::fprintf(stderr, "workbook entry without a Ref\n");
        std::abort();
      }
  } catch (const coderaudit::InputError&) {
  }
  for (const auto& r : rejects)
    if (r.reason.empty()) {
      std::fprintf(stderr, "reject without a reason\n");
      std::abort();
    }
  return 0;
}
