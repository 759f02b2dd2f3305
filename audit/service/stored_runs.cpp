#include "audit/service/stored_runs.hpp"

#include <cctype>
#include <filesystem>
#include <set>

#include "audit/model/error.hpp"
#include "audit/service/extrapolation.hpp"
#include "audit/service/trail.hpp"
#include "audit/service/store_admin.hpp"
#include "audit/store/sample_store.hpp"
#include "audit/store/store.hpp"
#include "reports/xlsx/accuracy_workbook.hpp"
#include "reports/xlsx/extrapolation_workbook.hpp"

namespace coderaudit::service {

namespace {

// Opening a missing store would create an empty one: a typo must not look like "no runs".
const std::string& ExistingStore(const std::string& db_path) {
  RequireStore(db_path);
  return db_path;
}

}  // namespace

void PrepareStore(const std::string& db_path) { store::Store db(db_path); }

std::vector<runs::RunInfo> ListRuns(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kReadRuns);
  store::Store db(ExistingStore(db_path));
  return db.ListRuns();
}

runs::RunInfo LoadRun(const std::string& db_path, int64_t run_id, const Actor& actor) {
  Authorize(actor, Operation::kReadRuns);
  store::Store db(ExistingStore(db_path));
  auto run = db.LoadRun(run_id);
  if (!run) throw InputError("run " + std::to_string(run_id) + " is not in the store");
  return *run;
}

int64_t LatestRun(const std::string& db_path, const std::string& kind) {
  int64_t id = 0;
  for (const auto& r : ListRuns(db_path))
    if (r.kind == kind) id = r.run_id;
  if (id == 0) throw InputError("the store holds no " + kind + " run");
  return id;
}

int64_t DefaultReportRun(const std::string& db_path) {
  int64_t score = 0, check = 0;
  for (const auto& r : ListRuns(db_path)) (r.kind == "score" ? score : check) = r.run_id;
  if (score == 0 && check == 0) throw InputError("the store holds no check or score run");
  return score != 0 ? score : check;
}

std::vector<Reject> ListRejects(const std::string& db_path, int64_t run_id, const Actor& actor) {
  Authorize(actor, Operation::kReadFindings);
  if (actor.OwnRowsOnly()) return {};
  store::Store db(ExistingStore(db_path));
  if (run_id == 0) {
    for (const auto& r : db.ListRuns()) run_id = r.run_id;
    if (run_id == 0) throw InputError("the store " + db_path + " holds no run");
  } else if (!db.LoadRun(run_id)) {
    throw InputError("run " + std::to_string(run_id) + " is not in " + db_path);
  }
  auto rejects = db.LoadRejects(run_id);
  if (actor.MasksPatients())
    for (auto& r : rejects) r.raw = std::string(kMasked);
  return rejects;
}

std::optional<runs::StoredSample> LoadSample(const std::string& db_path, int64_t sample_id,
                                             const Actor& actor) {
  Authorize(actor, Operation::kReadSamples);
  store::SampleStore samples(ExistingStore(db_path));
  return samples.Load(sample_id);
}

std::vector<runs::StoredSample> ListSamples(const std::string& db_path, const Actor& actor) {
  Authorize(actor, Operation::kReadSamples);
  store::SampleStore samples(ExistingStore(db_path));
  return samples.List();
}

std::string SubstituteSpare(const std::string& db_path, int64_t sample_id,
                            const std::string& encounter_id, const std::string& reason,
                            const Actor& actor) {
  Authorize(actor, Operation::kSubstituteSpare);
  store::SampleStore samples(ExistingStore(db_path));
  int64_t engagement = 0;
  if (const auto stored = samples.Load(sample_id)) engagement = stored->run_id;
  return samples.Substitute(sample_id, encounter_id, reason, NowIso(), [&](const std::string& spare) {
    return MakeEvent(actor, "sample.substituted", "sample:" + std::to_string(sample_id), engagement,
                     JsonObject().Str("in_sample", encounter_id).Text(),
                     JsonObject().Str("in_sample", spare).Str("replaced", encounter_id)
                         .Str("reason", reason).Text());
  });
}

runs::AccuracyReport WriteAccuracyReport(const std::string& db_path, int64_t score_run_id,
                                         const ReportOptions& options, const std::string& path,
                                         const Actor& actor) {
  Authorize(actor, Operation::kExportReport);
  ExistingStore(db_path);
  if (score_run_id == 0) score_run_id = LatestRun(db_path, "score");
  auto report = LoadReport(db_path, score_run_id, options, actor);
  reports::WriteAccuracyWorkbook(report, path);
  RecordExport(db_path, actor, "accuracy", report.run.parent_run_id,
               "run:" + std::to_string(score_run_id), path);
  return report;
}

runs::AccuracyReport OneCoder(const runs::AccuracyReport& report, const std::string& coder_id) {
  runs::AccuracyReport one;
  one.run = report.run;
  one.check_run = report.check_run;
  one.benchmark = report.benchmark;
  one.scoring = report.scoring;
  one.policy = report.policy;
  one.trend_period = report.trend_period;
  one.trend_runs = report.trend_runs;
  for (const auto& s : report.coders)
    if (s.coder_id == coder_id) one.coders.push_back(s);
  if (one.coders.empty())
    throw InputError("score run " + std::to_string(report.run.run_id) + " has no coder '" +
                     coder_id + "' (coderaudit report --db STORE writes the team workbook "
                     "with every coder's id on its Summary)");
  for (const auto& d : report.diffs)
    if (d.coder_id == coder_id) one.diffs.push_back(d);
  for (const auto& f : report.findings)
    if (f.coder_id == coder_id) one.findings.push_back(f);
  for (const auto& e : report.encounters)
    if (e.coder_id == coder_id) one.encounters.push_back(e);
  for (const auto& t : report.trend)
    if (t.coder_id == coder_id) one.trend.push_back(t);
  return one;
}

runs::AccuracyReport WriteCoderFeedback(const std::string& db_path, int64_t score_run_id,
                                        const ReportOptions& options, const std::string& coder_id,
                                        bool matches, const std::string& path,
                                        const Actor& actor) {
  Authorize(actor, Operation::kExportReport);
  ExistingStore(db_path);
  if (score_run_id == 0) score_run_id = LatestRun(db_path, "score");
  auto report = OneCoder(LoadReport(db_path, score_run_id, options, actor), coder_id);
  reports::AccuracyWorkbookOptions workbook;
  workbook.feedback = true;
  workbook.feedback_matches = matches;
  reports::WriteAccuracyWorkbook(report, path, workbook);
  RecordExport(db_path, actor, "coder feedback", report.run.parent_run_id,
               "run:" + std::to_string(score_run_id) + " coder:" + coder_id, path);
  return report;
}

std::vector<CoderFile> WritePerCoderFeedback(const std::string& db_path, int64_t score_run_id,
                                             const ReportOptions& options, bool matches,
                                             const std::string& dir, const Actor& actor) {
  Authorize(actor, Operation::kExportReport);
  ExistingStore(db_path);
  if (score_run_id == 0) score_run_id = LatestRun(db_path, "score");
  const auto report = LoadReport(db_path, score_run_id, options, actor);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw SystemError("cannot create directory " + dir + (ec ? ": " + ec.message() : ""));
  reports::AccuracyWorkbookOptions workbook;
  workbook.feedback = true;
  workbook.feedback_matches = matches;
  std::vector<CoderFile> files;
  std::set<std::string> taken;  // lower case
  for (const auto& s : report.coders) {
    std::string name;
    for (unsigned char c : s.coder_id)
      name += std::isalnum(c) || c == '.' || c == '-' || c == '_' ? static_cast<char>(c) : '_';
    if (name.empty() || name.find_first_not_of('.') == std::string::npos) name = "_" + name;
    std::string unique = name;
    const auto lower = [](std::string v) {
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return v;
    };
    for (int n = 2; !taken.insert(lower(unique)).second; ++n) unique = name + "-" + std::to_string(n);
    const std::string path = (std::filesystem::path(dir) / ("coder-" + unique + ".xlsx")).string();
    reports::WriteAccuracyWorkbook(OneCoder(report, s.coder_id), path, workbook);
    RecordExport(db_path, actor, "coder feedback", report.run.parent_run_id,
                 "run:" + std::to_string(score_run_id) + " coder:" + s.coder_id, path);
    files.push_back({s.coder_id, path});
  }
  return files;
}

runs::ExtrapolationReport WriteExtrapolationReport(const std::string& db_path, int64_t sample_id,
                                                   const std::string& reviewed_path,
                                                   const std::string& path,
                                                   const Actor& actor) {
  Authorize(actor, Operation::kExportReport);
  auto report = BuildExtrapolation(db_path, sample_id, reviewed_path);
  reports::WriteExtrapolationWorkbook(report, path, db_path);
  int64_t engagement = 0;
  if (const auto stored = LoadSample(db_path, sample_id, actor)) engagement = stored->run_id;
  RecordExport(db_path, actor, "extrapolation", engagement, "sample:" + std::to_string(sample_id), path);
  return report;
}

}  // namespace coderaudit::service
