#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "audit/cli/commands.hpp"

namespace cli = coderaudit::cli;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run Call(std::vector<std::string> words) {
  std::ostringstream out, err;
  const int code = cli::Main(words, out, err);
  return {code, out.str(), err.str()};
}

Poco::JSON::Object::Ptr ParseJson(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A file in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("coderaudit-sampling-" + std::to_string(rd()));
    fs::create_directories(dir_);
    path_ = (dir_ / name).string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& Path() const { return path_; }

 private:
  fs::path dir_;
  std::string path_;
};

}  // namespace

TEST_CASE("The CLI's command table routes each sampling command by its words", "[sampling]") {
  CHECK(Call({"sample", "numbers", "--help"}).out.find("usage: coderaudit sample numbers") == 0);
  CHECK(Call({"sample", "replay", "--help"}).out.find("usage: coderaudit sample replay") == 0);
  CHECK(Call({"appraise", "variable", "--help"}).out.find("usage: coderaudit appraise variable") == 0);
  CHECK(Call({"sample-size", "attribute", "--help"}).out.find("usage: coderaudit sample-size attribute") == 0);
  const Run family = Call({"sample", "--help"});
  CHECK(family.code == 0);
  CHECK(family.out.find("coderaudit sample draw") != std::string::npos);
  CHECK(family.out.find("coderaudit sample numbers") != std::string::npos);
  CHECK(Call({}).code == 2);
}

TEST_CASE("sample numbers prints the RAT-STATS example as JSON of the documented shape", "[sampling]") {
  const Run r = Call({"sample", "numbers", "--generator", "ratstats", "--seed", "12345", "--low", "1",
                      "--high", "1000", "--count", "10", "--spares", "4", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<std::string>("generator") == "ratstats");
  CHECK(o->getValue<std::string>("generator_version") == "1");
  CHECK(o->getValue<std::string>("seed") == "12345.00");
  CHECK(o->getValue<int64_t>("frame_size") == 1000);
  const auto sample = o->getArray("sample");
  REQUIRE(sample->size() == 10);
  CHECK(sample->getObject(0)->getValue<int64_t>("value") == 9);
  CHECK(sample->getObject(9)->getValue<int64_t>("value") == 884);
  CHECK(sample->getObject(0)->has("order"));
  CHECK_FALSE(sample->getObject(0)->has("frame"));
  const auto spares = o->getArray("spares");
  REQUIRE(spares->size() == 4);
  CHECK(spares->getObject(0)->getValue<int64_t>("value") == 404);
  CHECK(spares->getObject(0)->getValue<int64_t>("order") == 11);
  CHECK(o->getValue<int64_t>("sum") == 7406);
  const auto warnings = o->getArray("warnings");
  REQUIRE(warnings->size() == 1);
  CHECK(warnings->getElement<std::string>(0).find("49381.00") != std::string::npos);
  // Keys appear in the documented order.
  CHECK(r.out.find("\"generator\"") < r.out.find("\"seed\""));
  CHECK(r.out.find("\"seed\"") < r.out.find("\"frame_size\""));
  CHECK(r.out.find("\"frame_size\"") < r.out.find("\"sample\""));
  CHECK(r.out.find("\"spares\"") < r.out.find("\"sum\""));
}

TEST_CASE("sample numbers prints sets as arrays and frames with their frame", "[sampling]") {
  const Run sets = Call({"sample", "numbers", "--generator", "ratstats", "--seed", "12345", "--dims",
                         "1-3,1-10", "--count", "5", "--spares", "2", "--format", "json"});
  REQUIRE(sets.code == 0);
  const auto so = ParseJson(sets.out);
  const auto first = so->getArray("sample")->getObject(0)->getArray("value");
  REQUIRE(first->size() == 2);
  CHECK(first->getElement<int64_t>(0) == 2);
  CHECK(first->getElement<int64_t>(1) == 1);
  CHECK(so->getArray("sum")->getElement<int64_t>(1) == 41);

  const Run frames = Call({"sample", "numbers", "--generator", "ratstats", "--seed", "12345",
                           "--frames", "1-100;501-550;1001-1200", "--count", "8", "--spares", "3",
                           "--format=json"});
  REQUIRE(frames.code == 0);
  const auto fo = ParseJson(frames.out);
  const auto item = fo->getArray("sample")->getObject(2);
  CHECK(item->getValue<int64_t>("frame") == 2);
  CHECK(item->getValue<int64_t>("value") == 519);
  CHECK(fo->getValue<int64_t>("frame_size") == 350);
}

TEST_CASE("sample numbers text output lists sample, spares and sum", "[sampling]") {
  const Run r = Call({"sample", "numbers", "--generator", "ratstats", "--seed", "12345", "--low", "1",
                      "--high", "1000", "--count", "10", "--spares", "4"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("SINGLE STAGE RANDOM NUMBERS") != std::string::npos);
  CHECK(r.out.find("SPARES (selection order)") != std::string::npos);
  CHECK(r.out.find("7,406") != std::string::npos);
  CHECK(r.out.find("WARNING: seed 49381.00") != std::string::npos);
}

TEST_CASE("sample numbers defaults to the modern generator and records a fresh seed", "[sampling]") {
  const Run r = Call({"sample", "numbers", "--low", "1", "--high", "50", "--count", "3", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<std::string>("generator") == "xoshiro256ss");
  const std::string seed = o->getValue<std::string>("seed");
  // Replaying with the recorded seed gives the same sample.
  const Run again = Call({"sample", "numbers", "--seed", seed, "--low", "1", "--high", "50", "--count", "3",
                          "--format", "json"});
  REQUIRE(again.code == 0);
  const auto a = ParseJson(again.out)->getArray("sample");
  const auto b = o->getArray("sample");
  for (unsigned i = 0; i < 3; ++i)
    CHECK(a->getObject(i)->getValue<int64_t>("value") == b->getObject(i)->getValue<int64_t>("value"));
}

TEST_CASE("Sampling commands separate help, usage errors and input errors by exit code", "[sampling]") {
  CHECK(Call({"sample", "numbers", "--help"}).code == 0);
  CHECK(Call({"appraise", "variable", "--help"}).code == 0);
  CHECK(Call({"appraise", "attribute", "--help"}).code == 0);
  CHECK(Call({"sample-size", "variable", "--help"}).code == 0);
  CHECK(Call({"sample-size", "attribute", "--help"}).code == 0);
  CHECK(Call({"appraise", "--help"}).code == 0);
  CHECK(Call({"sample", "numbers", "--help"}).out.find("--frames") != std::string::npos);

  CHECK(Call({"appraise"}).code == 2);
  CHECK(Call({"sample", "numbers", "--low", "1", "--high", "10"}).code == 2);           // no --count
  CHECK(Call({"sample", "numbers", "--bogus", "1"}).code == 2);
  CHECK(Call({"sample", "numbers", "--low", "x", "--high", "10", "--count", "1"}).code == 2);
  CHECK(Call({"sample", "numbers", "--low", "1", "--high", "10", "--dims", "1-2,1-3", "--count", "1"}).code == 2);
  CHECK(Call({"sample", "numbers", "--generator", "mt", "--low", "1", "--high", "9", "--count", "1"}).code == 2);
  const Run bad_seed = Call({"sample", "numbers", "--generator", "ratstats", "--seed", "0", "--low", "1",
                             "--high", "10", "--count", "1"});
  CHECK(bad_seed.code == 3);
  CHECK(bad_seed.err.find("greater than 0") != std::string::npos);
  CHECK(Call({"sample", "numbers", "--seed", "1", "--low", "1", "--high", "10", "--count", "11"}).code == 3);
  CHECK(Call({"appraise", "attribute", "--universe", "100", "--sample", "10", "--errors", "11"}).code == 3);
  CHECK(Call({"appraise", "variable", "--input", "/nonexistent/items.csv", "--universe", "10"}).code == 3);
}

TEST_CASE("Appraisals refuse to extrapolate from a non-statistical sample", "[sampling]") {
  const Run a = Call({"appraise", "attribute", "--universe", "1000", "--sample", "30", "--errors", "3",
                      "--non-statistical"});
  CHECK(a.code == 3);
  CHECK(a.err.find("refusing to extrapolate") != std::string::npos);
  TempFile items("items.csv", "difference\n1\n2\n");
  const Run v = Call({"appraise", "variable", "--input", items.Path(), "--universe", "100", "--non-statistical"});
  CHECK(v.code == 3);
}

TEST_CASE("appraise variable reads a CSV and prints the RAT-STATS figures", "[sampling]") {
  TempFile items("items.csv",
                 "item,examined,audited\n1,100.00,90.00\n2,250.00,250.00\n3,80.00,20.00\n4,40.00,45.00\n");
  const Run text = Call({"appraise", "variable", "--input", items.Path(), "--universe", "1000"});
  REQUIRE(text.code == 0);
  CHECK(text.out.find("UNRESTRICTED VARIABLE APPRAISAL") != std::string::npos);
  CHECK(text.out.find("DIFFERENCE") != std::string::npos);
  CHECK(text.out.find("Amount demanded") != std::string::npos);

  const Run json = Call({"appraise", "variable", "--input", items.Path(), "--universe", "1000", "--format", "json"});
  REQUIRE(json.code == 0);
  const auto o = ParseJson(json.out);
  CHECK(o->getValue<std::string>("primary") == "difference");
  const auto sets = o->getArray("value_sets");
  REQUIRE(sets->size() == 3);
  const auto diff = sets->getObject(2);
  CHECK(diff->getValue<std::string>("value_set") == "difference");
  CHECK(diff->getValue<double>("mean") == Approx(16.25));
  CHECK(diff->getValue<double>("point_estimate") == Approx(16250));
  const auto limits = diff->getArray("limits");
  REQUIRE(limits->size() == 3);
  CHECK(limits->getObject(0)->getValue<double>("confidence") == Approx(0.8));
  CHECK(limits->getObject(0)->has("t"));
  CHECK(o->getValue<double>("demand_amount") == Approx(limits->getObject(0)->getValue<double>("lower")));
}

TEST_CASE("appraise variable handles a stratified sample with a strata file", "[sampling]") {
  TempFile items("items.csv", "stratum,difference\nA,10\nA,20\nA,30\nA,40\nB,5\nB,5\nB,15\n");
  TempFile strata("strata.csv", "stratum,N_h\nA,100\nB,50\n");
  const Run r = Call({"appraise", "variable", "--input", items.Path(), "--strata", strata.Path(), "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getArray("strata")->size() == 2);
  const auto overall = o->getArray("overall")->getObject(0);
  CHECK(overall->getValue<double>("point_estimate") == Approx(2500 + 50 * 25.0 / 3));
  CHECK(overall->getArray("limits")->getObject(1)->has("z"));
  const Run text = Call({"appraise", "variable", "--input", items.Path(), "--strata", strata.Path()});
  REQUIRE(text.code == 0);
  CHECK(text.out.find("STRATUM A") != std::string::npos);
  CHECK(text.out.find("z-value used") != std::string::npos);
}

TEST_CASE("appraise attribute prints exact limits, unrestricted and stratified", "[sampling]") {
  const Run r = Call({"appraise", "attribute", "--universe", "10000", "--sample", "100", "--errors", "5",
                      "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<std::string>("appraisal") == "attribute_unrestricted");
  const auto l90 = o->getArray("limits")->getObject(1);
  CHECK(l90->getValue<int64_t>("lower") == 201);
  CHECK(l90->getValue<int64_t>("upper") == 1019);
  const Run text = Call({"appraise", "attribute", "--universe", "10000", "--sample", "100", "--errors", "5"});
  REQUIRE(text.code == 0);
  CHECK(text.out.find("1,019") != std::string::npos);

  TempFile strata("attr.csv", "stratum,universe,sample,errors\nA,1000,50,5\nB,4000,100,2\n");
  const Run s = Call({"appraise", "attribute", "--input", strata.Path(), "--format", "json"});
  REQUIRE(s.code == 0);
  const auto so = ParseJson(s.out);
  CHECK(so->getValue<double>("projected_errors") == Approx(180));
  CHECK(so->getArray("strata")->size() == 2);
  CHECK(so->getArray("strata")->getObject(1)->getArray("precision_z")->getElement<double>(2) ==
        Approx(108.92330955214442).epsilon(1e-13));
  // Each stratum's precision, printed whole and as a rate (z * SE_h, see the appraisal test).
  const Run st = Call({"appraise", "attribute", "--input", strata.Path()});
  REQUIRE(st.code == 0);
  const std::string b = st.out.substr(st.out.find("STRATUM B"));
  CHECK(b.find("Precision, z x SE (items)               71            91           109") !=
        std::string::npos);
  CHECK(b.find("Precision, z x SE (rate)            1.781%        2.285%        2.723%") !=
        std::string::npos);
}

TEST_CASE("sample-size commands print the computed sizes", "[sampling]") {
  const Run v = Call({"sample-size", "variable", "--universe", "10000", "--mean", "70.60", "--sd", "48.25",
                      "--precision", "10", "--format", "json"});
  REQUIRE(v.code == 0);
  const auto vo = ParseJson(v.out);
  const auto results = vo->getArray("results");
  REQUIRE(results->size() == 3);
  CHECK(results->getObject(1)->getValue<int64_t>("sample_size") == 125);

  TempFile probes("probe.csv", "stratum,universe,mean,sd\n1,1000,50,10\n2,2000,60,20\n3,500,100,40\n");
  const Run s = Call({"sample-size", "variable", "--strata", probes.Path(), "--precision", "5", "--format", "json"});
  REQUIRE(s.code == 0);
  const auto so = ParseJson(s.out);
  CHECK(so->getObject("total")->getValue<int64_t>("sample_size") == 106);
  CHECK(so->getArray("strata")->getObject(1)->getValue<int64_t>("sample_size") == 61);
  const Run given = Call({"sample-size", "variable", "--strata", probes.Path(), "--total", "140"});
  REQUIRE(given.code == 0);
  CHECK(given.out.find("Neyman") != std::string::npos);

  const Run a = Call({"sample-size", "attribute", "--universe", "10000", "--rate", "5", "--precision", "3",
                      "--confidence", "90", "--format", "json"});
  REQUIRE(a.code == 0);
  const auto ao = ParseJson(a.out);
  REQUIRE(ao->getArray("results")->size() == 1);
  CHECK(ao->getArray("results")->getObject(0)->getValue<bool>("met"));
}

// Issue 16 item 2: attribute rates print to 3 decimals, with standard errors and one-sided
// rates. N=10000 n=100 x=5: rate 5.000%, SE(total) 217.94 and SE(rate) 2.179% (Cochran
// 3.5, see attribute_appraisal_test.cpp); the one-sided 95% limits equal the two-sided
// 90% pair, 201 / 1019 items (exact hypergeometric, the test above): 2.010% / 10.190%.
namespace {
// The printed line that starts with `label`, or "" when there is none.
std::string LineOf(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(label, 0) == 0) return line;
  return "";
}
bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

TEST_CASE("The stratified summary prints RAT-STATS's nonzero items and standard error of the mean",
          "[sampling]") {
  // Stratum 1 sums to 0, so RAT-STATS gives it no SD; stratum 2 alone makes the variance:
  // 200 * 196 * SD^2 / 4 with SD^2 = (1725 - 65^2/4) / 3, so SE(total) = 1478.0336...
  // and SE(mean) = SE(total) / 300 = 4.9268 (exact fractions in Python).
  TempFile items("items.csv", "stratum,difference\n1,5\n1,-5\n1,0\n2,10\n2,20\n2,35\n2,0\n");
  TempFile strata("strata.csv", "stratum,N_h\n1,100\n2,200\n");
  const Run text = Call({"appraise", "variable", "--input", items.Path(), "--strata", strata.Path()});
  REQUIRE(text.code == 0);
  const size_t overall_at = text.out.find("OVERALL");
  REQUIRE(overall_at != std::string::npos);
  const std::string overall = text.out.substr(overall_at);
  CHECK(EndsWith(LineOf(overall, "Nonzero items"), " 5"));
  CHECK(EndsWith(LineOf(overall, "Standard error (mean)"), " 4.93"));
  CHECK(EndsWith(LineOf(overall, "Standard error (total)"), " 1,478"));
  const Run json = Call({"appraise", "variable", "--input", items.Path(), "--strata", strata.Path(),
                         "--format", "json"});
  REQUIRE(json.code == 0);
  const auto o = ParseJson(json.out)->getArray("overall")->getObject(0);
  CHECK(o->getValue<int64_t>("nonzero") == 5);
  CHECK(o->getValue<double>("se_mean") == Approx(4.926778678624417).epsilon(1e-13));
}

TEST_CASE("appraise attribute prints rates to 3 decimals with standard errors", "[sampling]") {
  const Run text = Call({"appraise", "attribute", "--universe", "10000", "--sample", "100", "--errors", "5"});
  REQUIRE(text.code == 0);
  CHECK(EndsWith(LineOf(text.out, "Error rate"), " 5.000%"));
  // RAT-STATS prints the standard error of the total as whole items (217.94 -> 218).
  CHECK(EndsWith(LineOf(text.out, "Standard error (items)"), " 218"));
  CHECK(EndsWith(LineOf(text.out, "Standard error (rate)"), " 2.179%"));
  CHECK(EndsWith(LineOf(text.out, "One-sided lower (rate)"), " 2.010%"));
  CHECK(EndsWith(LineOf(text.out, "One-sided upper (rate)"), " 10.190%"));
  const Run json = Call({"appraise", "attribute", "--universe", "10000", "--sample", "100", "--errors",
                         "5", "--format", "json"});
  const auto o = ParseJson(json.out);
  CHECK(o->getValue<double>("se_total") == Approx(217.94494717703367).epsilon(1e-14));
}

// Issue 16 item 4: the probe sample can be given as its data file. Differences 10, 20,
// 30, 40, 50 (derived from examined - audited): mean 30, SD sqrt(250). For N = 10,000 at
// 10% precision, E = 30,000 and n = 250e8 / ((30,000/z)^2 + 10,000 * 250), evaluated in
// 40-digit decimal with z = 1.2815515655446004 / 1.6448536269514722 / 1.959963984540054:
// 45.414... / 74.593... / 105.580... -> 45, 75, 106 (to the nearest item, as for --mean/--sd).
TEST_CASE("sample-size variable reads the probe sample from a data file", "[sampling]") {
  TempFile probe("probe.csv", "examined,audited\n110,100\n120,100\n130,100\n140,100\n150,100\n");
  const Run r = Call({"sample-size", "variable", "--universe", "10000", "--probe", probe.Path(),
                      "--precision", "10", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<int64_t>("probe_size") == 5);
  CHECK(o->getValue<std::string>("probe_values") == "difference");
  CHECK(o->getValue<double>("mean") == Approx(30).epsilon(1e-15));
  CHECK(o->getValue<double>("sd") == Approx(15.811388300841896).epsilon(1e-14));
  const auto results = o->getArray("results");
  REQUIRE(results->size() == 3);
  CHECK(results->getObject(0)->getValue<double>("exact") == Approx(45.414324518963626).epsilon(1e-12));
  CHECK(results->getObject(0)->getValue<int64_t>("sample_size") == 45);
  CHECK(results->getObject(1)->getValue<int64_t>("sample_size") == 75);
  CHECK(results->getObject(2)->getValue<int64_t>("sample_size") == 106);
  const Run text = Call({"sample-size", "variable", "--universe", "10000", "--probe", probe.Path(),
                         "--precision", "10"});
  CHECK(text.out.find("Probe sample size") != std::string::npos);
  CHECK(Call({"sample-size", "variable", "--universe", "10000", "--probe", probe.Path(), "--mean", "3",
              "--precision", "10"}).code == 2);
}

// The estimated-error-rate example of sample_size_test.cpp through the CLI: N = 500,000,
// total 2,000,000 (mu 4), SD 2, rate 50%: error mean 2, variance 0.5 * (4 + 0.5 * 16) = 6;
// E = 0.10 * 2 * 500,000 = 100,000 -> 246.23 / 405.502 / 575.56 -> 246, 406, 576.
TEST_CASE("sample-size variable takes an estimated error rate instead of a probe sample", "[sampling]") {
  const std::vector<std::string> args = {"sample-size", "variable", "--universe", "500000",
                                         "--error-rate", "50", "--amount-total", "2000000",
                                         "--amount-sd", "2", "--precision", "10"};
  const Run text = Call(args);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("using an estimated error rate") != std::string::npos);
  CHECK(EndsWith(LineOf(text.out, "Expected error per item"), " 2.00"));
  CHECK(EndsWith(LineOf(text.out, "Its standard deviation"), " 2.45"));
  CHECK(EndsWith(LineOf(text.out, "90%"), " 406"));
  auto json_args = args;
  json_args.insert(json_args.end(), {"--format", "json"});
  const Run json = Call(json_args);
  REQUIRE(json.code == 0);
  const auto o = ParseJson(json.out);
  CHECK(o->getValue<std::string>("sample_size") == "variable_unrestricted_error_rate");
  CHECK(o->getValue<double>("sd") == Approx(std::sqrt(6.0)).epsilon(1e-15));
  const auto results = o->getArray("results");
  REQUIRE(results->size() == 3);
  CHECK(results->getObject(0)->getValue<int64_t>("sample_size") == 246);
  CHECK(results->getObject(2)->getValue<int64_t>("sample_size") == 576);
  // An error rate of 0 is an input error, mixing it with a probe's mean a usage error.
  auto zero = args;
  zero[5] = "0";
  CHECK(Call(zero).code == 3);
  auto mixed = args;
  mixed.insert(mixed.end(), {"--mean", "3"});
  CHECK(Call(mixed).code == 2);
}

// Issue 16 item 6: the two-stage example of multistage_appraisal_test.cpp through the CLI.
TEST_CASE("appraise multistage prints the two-stage appraisal", "[sampling]") {
  TempFile items("two.csv", "primary,primary_size,difference\n"
                            "P1,5,10\nP1,5,20\nP2,4,5\nP2,4,15\nP2,4,25\nP3,6,0\nP3,6,30\n");
  const Run r = Call({"appraise", "multistage", "--input", items.Path(), "--universe", "10", "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<std::string>("appraisal") == "variable_two_stage");
  CHECK(o->getValue<double>("demand_amount") == Approx(452.18905657331637).epsilon(1e-13));
  const Run text = Call({"appraise", "multistage", "--input", items.Path(), "--universe", "10"});
  CHECK(EndsWith(LineOf(text.out, "Point estimate"), " 750"));
  CHECK(Call({"appraise", "multistage", "--input", items.Path(), "--universe", "2"}).code == 3);
  CHECK(Call({"appraise", "multistage", "--input", items.Path(), "--universe", "10",
              "--non-statistical"}).code == 3);
}

// The two-stage attribute example of multistage_appraisal_test.cpp through the CLI.
TEST_CASE("appraise multistage --attribute prints the projected count and its limits", "[sampling]") {
  TempFile units("units.csv", "primary,primary_size,sample,errors\nP1,50,10,2\nP2,30,6,0\nP3,40,8,3\nP4,25,5,1\n");
  const Run text = Call({"appraise", "multistage", "--attribute", "--input", units.Path(), "--universe", "20"});
  REQUIRE(text.code == 0);
  CHECK(EndsWith(LineOf(text.out, "Projected items"), " 150"));
  CHECK(EndsWith(LineOf(text.out, "Standard error (items)"), " 62"));
  CHECK(EndsWith(LineOf(text.out, "With the characteristic"), " 6"));
  const Run json = Call({"appraise", "multistage", "--attribute", "--input", units.Path(), "--universe", "20",
                         "--format", "json"});
  const auto o = ParseJson(json.out);
  CHECK(o->getValue<std::string>("appraisal") == "attribute_two_stage");
  CHECK(o->getValue<double>("projected") == Approx(150).epsilon(1e-15));
  // Item rows are not counts: without --attribute the same file has no value column.
  CHECK(Call({"appraise", "multistage", "--input", units.Path(), "--universe", "20"}).code == 3);
}

// RHC end to end: the selection writes the groups file, the appraisal reads it back.
TEST_CASE("sample rhc writes the groups file that appraise multistage --groups reads", "[sampling]") {
  TempFile frame("frame.csv", "primary,measure\nP1,12\nP2,25\nP3,23\nP4,8\nP5,10\nP6,22\nP7,30\n");
  const std::string groups = (fs::path(frame.Path()).parent_path() / "groups.csv").string();
  const Run r = Call({"sample", "rhc", "--frame", frame.Path(), "--groups", "3", "--generator", "ratstats",
                      "--seed", "12345", "--out", groups});
  REQUIRE(r.code == 0);
  CHECK(EndsWith(LineOf(r.out, "Measure of size in frame"), " 130"));
  CHECK(EndsWith(LineOf(r.out, "Seed"), " 12345.00"));
  std::ifstream in(groups);
  std::string line, items = "primary,primary_size,difference\n";
  std::getline(in, line);
  CHECK(line == "group,primaries,measure,primary,primary_measure");
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    const std::string primary = line.substr(line.rfind(',', line.rfind(',') - 1) + 1,
                                            line.rfind(',') - line.rfind(',', line.rfind(',') - 1) - 1);
    items += primary + ",10,4\n" + primary + ",10,7\n";
  }
  CHECK(rows == 3);
  TempFile items_file("items.csv", items);
  const Run a = Call({"appraise", "multistage", "--input", items_file.Path(), "--groups", groups, "--format", "json"});
  REQUIRE(a.code == 0);
  const auto o = ParseJson(a.out);
  CHECK(o->getValue<std::string>("appraisal") == "variable_two_stage_rhc");
  CHECK(o->getValue<int64_t>("universe") == 7);
  CHECK(o->getValue<int64_t>("measure") == 130);
  // The JSON of the selection lists every group's members: together, the whole frame.
  const auto json = ParseJson(Call({"sample", "rhc", "--frame", frame.Path(), "--groups", "3", "--generator",
                                    "ratstats", "--seed", "12345", "--format", "json"}).out);
  std::set<std::string> members;
  const auto groups_json = json->getArray("groups");
  for (size_t g = 0; g < groups_json->size(); ++g) {
    const auto m = groups_json->getObject(static_cast<unsigned>(g))->getArray("members");
    for (size_t i = 0; i < m->size(); ++i) members.insert(m->getElement<std::string>(static_cast<unsigned>(i)));
  }
  CHECK(members.size() == 7);
  // One first stage at a time; a frame that cannot be drawn is an input error.
  CHECK(Call({"appraise", "multistage", "--input", items_file.Path(), "--groups", groups, "--universe", "7"}).code ==
        2);
  CHECK(Call({"sample", "rhc", "--frame", frame.Path(), "--groups", "8", "--seed", "1"}).code == 3);
  CHECK(Call({"sample", "rhc", "--frame", frame.Path(), "--seed", "1"}).code == 2);
  // The groups never replace the frame they were drawn from, however the path is spelled.
  const std::string same = (fs::path(frame.Path()).parent_path() / "." / "frame.csv").string();
  const Run overwrite = Call({"sample", "rhc", "--frame", frame.Path(), "--groups", "3", "--seed", "1", "--out", same});
  CHECK(overwrite.code == 3);
  CHECK(overwrite.err.find("is the frame file") != std::string::npos);
  std::ifstream kept(frame.Path());
  std::string first;
  std::getline(kept, first);
  CHECK(first == "primary,measure");
}

// The fixed RHC example of rhc_appraisal_test.cpp through the CLI's text.
TEST_CASE("appraise multistage --groups prints the RHC appraisal", "[sampling]") {
  TempFile groups("groups.csv", "group,primaries,measure,primary,primary_measure\n1,3,60,P2,25\n2,2,30,P5,10\n3,2,40,P7,30\n");
  TempFile items("items.csv", "primary,primary_size,difference\nP2,25,10\nP2,25,20\nP2,25,45\nP5,10,5\nP5,10,0\n"
                              "P7,30,12\nP7,30,8\nP7,30,31\n");
  const Run r = Call({"appraise", "multistage", "--input", items.Path(), "--groups", groups.Path()});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("TWO-STAGE RHC VARIABLE APPRAISAL") == 0);
  CHECK(EndsWith(LineOf(r.out, "Point estimate"), " 2,255"));
  CHECK(EndsWith(LineOf(r.out, "Standard error (total)"), " 781"));
  CHECK(EndsWith(LineOf(r.out, "Primary units in universe"), " 7"));
  // A stratum column has no meaning in an RHC appraisal.
  TempFile stratified("s.csv", "stratum,primary,primary_size,difference\nA,P2,25,10\nA,P2,25,20\nA,P5,10,5\n"
                               "A,P5,10,0\nA,P7,30,12\nA,P7,30,8\n");
  const Run s = Call({"appraise", "multistage", "--input", stratified.Path(), "--groups", groups.Path()});
  CHECK(s.code == 3);
  CHECK(s.err.find("an RHC appraisal (--groups) is not stratified") != std::string::npos);
}

// The stratified two-stage variable example of multistage_appraisal_test.cpp.
TEST_CASE("appraise multistage --strata appraises each stratum and the whole with z", "[sampling]") {
  TempFile items("strat.csv", "stratum,primary,primary_size,difference\n"
                              "A,P1,5,10\nA,P1,5,20\nA,P2,4,5\nA,P2,4,15\nA,P2,4,25\nA,P3,6,0\nA,P3,6,30\n"
                              "B,P1,2,4\nB,P1,2,6\nB,P2,3,1\nB,P2,3,2\nB,P2,3,3\n");
  TempFile strata("strat-sizes.csv", "stratum,primaries\nA,10\nB,5\n");
  const Run r = Call({"appraise", "multistage", "--input", items.Path(), "--strata", strata.Path(), "--format", "json"});
  REQUIRE(r.code == 0);
  const auto o = ParseJson(r.out);
  CHECK(o->getValue<std::string>("appraisal") == "variable_two_stage_stratified");
  CHECK(o->getValue<double>("demand_amount") == Approx(587.35089484378145).epsilon(1e-14));
  CHECK(o->getArray("strata")->size() == 2);
  // A stratum column without --strata is refused rather than pooled; so are both sizes.
  const Run pooled = Call({"appraise", "multistage", "--input", items.Path(), "--universe", "15"});
  CHECK(pooled.code == 3);
  CHECK(pooled.err.find("give --strata") != std::string::npos);
  CHECK(Call({"appraise", "multistage", "--input", items.Path(), "--universe", "15", "--strata", strata.Path()})
            .code == 2);
}

// Two strata of 9e18 items each do not add up in 64 bits: every stratified command refuses
// the sum (exit 3) instead of printing a wrapped, negative universe.
TEST_CASE("Stratified commands refuse strata whose sizes do not add up in 64 bits", "[sampling]") {
  const std::string big = "9000000000000000000";
  auto refused = [](const Run& r, const std::string& what) {
    CHECK(r.code == 3);
    CHECK(r.err.find(what + " add up to more than 9,223,372,036,854,775,807") != std::string::npos);
  };
  TempFile items("big-items.csv", "stratum,difference\nA,10\nA,20\nB,5\nB,7\n");
  TempFile sizes("big-sizes.csv", "A," + big + "\nB," + big + "\n");
  refused(Call({"appraise", "variable", "--input", items.Path(), "--strata", sizes.Path()}),
          "the strata's universe sizes");
  // Attribute universes are at most 2^53 each; 1,025 strata of 2^53 pass 2^63.
  std::string strata = "stratum,universe,sample,errors\n";
  for (int h = 0; h < 1025; ++h) strata += "S" + std::to_string(h) + ",9007199254740992,10,1\n";
  TempFile attribute("big-attribute.csv", strata);
  refused(Call({"appraise", "attribute", "--input", attribute.Path()}), "the strata's universe sizes");
  TempFile probes("big-probes.csv", "stratum,universe,mean,sd\nA," + big + ",50,10\nB," + big + ",60,20\n");
  refused(Call({"sample-size", "variable", "--strata", probes.Path(), "--total", "40"}),
          "the strata's universe sizes");
  TempFile units("big-units.csv", "stratum,primary,primary_size,sample,errors\n"
                                  "A,P1,5,2,1\nA,P2,5,2,0\nB,P1,5,2,1\nB,P2,5,2,0\n");
  refused(Call({"appraise", "multistage", "--attribute", "--input", units.Path(), "--strata", sizes.Path()}),
          "the strata's primaries");
  TempFile counts("big-counts.csv", "primary,primary_size,sample,errors\nP1," + big + "," + big + ",1\nP2," +
                                        big + "," + big + ",1\n");
  refused(Call({"appraise", "multistage", "--attribute", "--input", counts.Path(), "--universe", big}),
          "the units sampled");
}

// Issue 16 item 4: a stratum with SD 0 gets no items (share 0) and prints "---"; the
// others share the total by N_h SD_h: 10,000 and 20,000 -> 13.33 and 26.67 of 40, by
// largest remainder 13 and 27.
TEST_CASE("sample-size variable prints --- for a stratum allocated nothing", "[sampling]") {
  TempFile probes("probe0.csv", "stratum,universe,mean,sd\nA,1000,50,10\nB,2000,60,0\nC,500,100,40\n");
  const Run r = Call({"sample-size", "variable", "--strata", probes.Path(), "--total", "40"});
  REQUIRE(r.code == 0);
  CHECK(EndsWith(LineOf(r.out, "A  "), " 13"));
  CHECK(EndsWith(LineOf(r.out, "B  "), " ---"));
  CHECK(EndsWith(LineOf(r.out, "C  "), " 27"));
  CHECK(EndsWith(LineOf(r.out, "Allocated"), " 40"));
}

TEST_CASE("sample-size prints --- for a sample size of 0, as RAT-STATS does", "[sampling]") {
  // A probe without variation: the formula gives 0 at every level (sample_size_test.cpp).
  const Run r = Call({"sample-size", "variable", "--universe", "10000", "--mean", "100", "--sd", "0",
                      "--precision", "10"});
  REQUIRE(r.code == 0);
  CHECK(EndsWith(LineOf(r.out, "80%"), " ---"));
  CHECK(EndsWith(LineOf(r.out, "95%"), " ---"));
  const Run j = Call({"sample-size", "variable", "--universe", "10000", "--mean", "100", "--sd", "0",
                      "--precision", "10", "--format", "json"});
  REQUIRE(j.code == 0);
  CHECK(ParseJson(j.out)->getArray("results")->getObject(1)->getValue<int64_t>("sample_size") == 0);
}
