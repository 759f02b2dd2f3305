#include "test_support.hpp"

#include <Poco/DeflatingStream.h>
#include <Poco/Zip/Compress.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "audit/refdata/period.hpp"

namespace refdata_test {

namespace rd = coderaudit::refdata;

TempDir::TempDir() {
  std::random_device rd;
  const auto base = fs::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path p = base / ("coderaudit-refdata-test-" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  const fs::path p = path_ / name;
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p.string();
}

std::string Sample(const std::string& name) {
  return std::string(CODERAUDIT_SOURCE_DIR) + "/samples/refdata/" + name;
}

std::optional<std::string> Shared(const std::string& relative) {
  const fs::path p = fs::path(CODERAUDIT_SHARED_DATA) / relative;
  if (!fs::exists(p)) return std::nullopt;
  return p.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void GzipFile(const std::string& from, const std::string& to) {
  const std::string bytes = ReadFile(from);
  std::ofstream out(to, std::ios::binary);
  Poco::DeflatingOutputStream gz(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
  gz << bytes;
  gz.close();
}

void MakeZip(const std::string& to,
             const std::vector<std::pair<std::string, std::string>>& members) {
  std::ofstream out(to, std::ios::binary);
  Poco::Zip::Compress zip(out, true);
  for (const auto& [name, content] : members) {
    std::istringstream in(content);
    zip.addFile(in, Poco::DateTime(2024, 1, 1), Poco::Path(name));
  }
  zip.close();
}

rd::ImportResult ImportSample(const std::string& dir, rd::TableKind kind, const std::string& path) {
  const auto g = rd::InferPeriod(kind, path);
  if (!g) throw std::runtime_error("no period in " + path);
  return rd::ImportTable(dir, kind, path, g->version, g->period.from, g->period.to);
}

void ImportAllSamples(const std::string& dir) {
  using K = rd::TableKind;
  const std::vector<std::pair<K, std::string>> all = {
      {K::kIcd10CmOrder, "icd10cm_order_fy2024_sample.txt"},
      {K::kIcd10CmOrder, "icd10cm_order_fy2025_sample.txt"},
      {K::kIcd10PcsOrder, "icd10pcs_order_fy2024_sample.txt"},
      {K::kPoaExempt, "poa_exempt_fy2024_sample.txt"},
      {K::kHcpcs, "hcpcs_level2_2024_sample_attributes.csv"},
      {K::kPtpPractitioner, "ncci_ptp_practitioner_2024_sample.tsv"},
      {K::kPtpOutpatient, "ncci_ptp_outpatient_hospital_2024_sample.tsv"},
      {K::kMuePractitioner, "ncci_mue_practitioner_2024_sample.csv"},
      {K::kMueOutpatient, "ncci_mue_outpatient_hospital_2024_sample.csv"},
      {K::kAddOn, "ncci_add_on_codes_2024_sample.csv"},
      {K::kMce, "mce_v41_1_fy2024_sample.csv"},
      {K::kMce, "mce_v42_fy2025_sample.tsv"},
      {K::kInpatientOnly, "inpatient_only_2024_sample.csv"},
      {K::kIcd10CmTabular, "icd10cm_tabular_fy2024_sample.xml"},
  };
  for (const auto& [kind, name] : all) ImportSample(dir, kind, Sample(name));
}

coderaudit::Date D(const char* iso) {
  const auto d = coderaudit::ParseIsoDate(iso);
  if (!d) throw std::runtime_error(std::string("bad test date ") + iso);
  return *d;
}

coderaudit::Code C(const char* code) { return coderaudit::Code::Of(code); }

}  // namespace refdata_test
