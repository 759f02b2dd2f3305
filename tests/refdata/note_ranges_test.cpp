#include <catch2/catch.hpp>

#include <algorithm>

#include "audit/refdata/note_ranges.hpp"
#include "test_support.hpp"

namespace rd = coderaudit::refdata;
using refdata_test::C;

namespace {

std::string Show(const std::vector<rd::CodeRange>& ranges) {
  std::string s;
  for (const auto& r : ranges) {
    if (!s.empty()) s += " ";
    s += r.from.Str();
    if (!(r.from == r.to)) s += "-" + r.to.Str();
  }
  return s;
}

rd::CodeRange R(const char* from, const char* to) { return {C(from), C(to)}; }

}  // namespace

TEST_CASE("A dash-suffixed code in a note is a prefix", "[refdata]") {
  CHECK(Show(rd::ParseNoteRanges("type 1 diabetes mellitus (E10.-)")) == "E10");
  CHECK(Show(rd::ParseNoteRanges("gestational diabetes (O24.4-)")) == "O244");
  CHECK(Show(rd::ParseNoteRanges("resistance to antimicrobial drugs (Z16.-)")) == "Z16");
}

TEST_CASE("A code range in a note keeps both ends", "[refdata]") {
  CHECK(Show(rd::ParseNoteRanges("complications of pregnancy (O00-O9A)")) == "O00-O9A");
  CHECK(Show(rd::ParseNoteRanges("hypertension (I10-I16)")) == "I10-I16");
  CHECK(Show(rd::ParseNoteRanges("pancreatitis (K85-K86.-)")) == "K85-K86");
  CHECK(Show(rd::ParseNoteRanges("schistosomiasis (B65.0-B65.9)")) == "B650-B659");
  CHECK(Show(rd::ParseNoteRanges("injuries (S00.- to S09.-)")) == "S00-S09");
}

TEST_CASE("A list of codes in a note gives one range per code", "[refdata]") {
  CHECK(Show(rd::ParseNoteRanges("neuropathy (E08.42, E09.42)")) == "E0842 E0942");
  CHECK(Show(rd::ParseNoteRanges("organism (B95, B96) and (B97.-, C00-C14)")) ==
        "B95 B96 B97 C00-C14");
}

TEST_CASE("Codes qualified by their endings are expanded, code by code", "[refdata]") {
  // The forms of the FY2021 tabular (G63's Excludes1 "diabetes mellitus (E08-E13 with .42)").
  CHECK(Show(rd::ParseNoteRanges("polyneuropathy in diabetes mellitus (E08-E13 with .42)")) ==
        "E0842 E0942 E1042 E1142 E1242 E1342");
  CHECK(Show(rd::ParseNoteRanges("x (E08-E09 with .51-.52)")) == "E0851-E0852 E0951-E0952");
  CHECK(Show(rd::ParseNoteRanges("x (E08-E09 with .69-)")) == "E0869 E0969");
  CHECK(Show(rd::ParseNoteRanges("x (F10, F13, F19 with .26, .96)")) ==
        "F1026 F1096 F1326 F1396 F1926 F1996");
  CHECK(Show(rd::ParseNoteRanges("x (F11-F12 with .15. .25, .95)")) ==
        "F1115 F1125 F1195 F1215 F1225 F1295");
  CHECK(Show(rd::ParseNoteRanges("x (B27.0-B27.2 with .9)")) == "B2709 B2719 B2729");
  CHECK(Show(rd::ParseNoteRanges("x (B27.0-B27.1 with 1)")) == "B2701 B2711");
  // Letters inside a range are not enumerated: nothing, as before.
  CHECK(rd::ParseNoteRanges("x (O00-O9A with .1)").empty());
  const auto g63 = rd::ParseNoteRanges("diabetes mellitus (E08-E13 with .42)");
  CHECK(std::any_of(g63.begin(), g63.end(), [](const auto& r) { return r.Contains(C("E1142")); }));
  CHECK_FALSE(
      std::any_of(g63.begin(), g63.end(), [](const auto& r) { return r.Contains(C("E1140")); }));
}

TEST_CASE("Ranges qualified by character positions keep the qualifier as conditions",
          "[refdata]") {
  auto contains = [](const char* note, const char* code) {
    for (const auto& r : rd::ParseNoteRanges(note))
      if (r.Contains(C(code))) return true;
    return false;
  };
  // The FY2021 tabular's forms. Adverse effects: T36.0X5A has 5 as its sixth character.
  const char* adverse = "adverse effect (T36-T50 with fifth or sixth character 5)";
  CHECK(contains(adverse, "T360X5A"));
  CHECK(contains(adverse, "T43595A"));
  CHECK_FALSE(contains(adverse, "T360X1A"));  // poisoning, accidental
  CHECK_FALSE(contains(adverse, "T510X5A"));  // outside T36-T50
  const char* poisoning = "poisoning (T36-T65 with fifth or sixth character 1-4 or 6)";
  CHECK(contains(poisoning, "T360X1A"));
  CHECK(contains(poisoning, "T510X4A"));
  CHECK(contains(poisoning, "T360X6A"));
  CHECK_FALSE(contains(poisoning, "T360X5A"));
  CHECK(contains("x (V01-V09 with 5th character 9)", "V0199XA"));
  CHECK_FALSE(contains("x (V01-V09 with 5th character 9)", "V0191XA"));
  CHECK(contains("x (A37 with fifth-character 1)", "A3701"));
  CHECK_FALSE(contains("x (A37 with fifth-character 1)", "A3700"));
  CHECK(contains("x (B27.- with fourth character 2)", "B2729"));
  CHECK_FALSE(contains("x (B27.- with fourth character 2)", "B2719"));
  CHECK(contains("x (S42.- with 7th character B or C)", "S42001B"));
  CHECK(contains("x (S42.- with 7th character B or C)", "S42001C"));
  CHECK_FALSE(contains("x (S42.- with 7th character B or C)", "S42001A"));
  CHECK(contains("x (F11-F19 with fifth to sixth characters 51)", "F11151"));
  CHECK_FALSE(contains("x (F11-F19 with fifth to sixth characters 51)", "F11150"));
  CHECK(contains("x (F10-F19 with 5th character .6)", "F1026"));
  CHECK_FALSE(contains("x (F10-F19 with 5th character .6)", "F1020"));
  // "I69. with final characters -23": I69.x23, the characters after the fourth.
  CHECK(contains("x (I69. with final characters -23)", "I69323"));
  CHECK(contains("x (I69. with final characters -23)", "I69023"));
  CHECK_FALSE(contains("x (I69. with final characters -23)", "I69320"));
  CHECK_FALSE(contains("x (I69. with final characters -23)", "I6923"));
}

TEST_CASE("Notes without codes, words in parentheses and qualified ranges give nothing",
          "[refdata]") {
  CHECK(rd::ParseNoteRanges("certain localized infections - see body system chapters").empty());
  CHECK(rd::ParseNoteRanges("infection (acute) (chronic) (CD4) (HIV)").empty());
  // Qualifiers that name no characters.
  CHECK(rd::ParseNoteRanges("x (S52.- with open fracture 7th character)").empty());
  CHECK(rd::ParseNoteRanges("x (T51-T65 with fifth or sixth character to indicate intent)").empty());
  CHECK(rd::ParseNoteRanges("unclosed (E10.").size() == 1);
  CHECK(rd::ParseNoteRanges("").empty());
}

TEST_CASE("Chapter QA0 codes are read when marked as codes", "[refdata]") {
  CHECK(Show(rd::ParseNoteRanges("neurodevelopmental (QA0.-)")) == "QA0");
}

TEST_CASE("A code range contains the codes between its ends at any depth", "[refdata]") {
  const auto pregnancy = R("O00", "O9A");
  CHECK(pregnancy.Contains(C("O00")));
  CHECK(pregnancy.Contains(C("O24410")));
  CHECK(pregnancy.Contains(C("O9A11")));
  CHECK_FALSE(pregnancy.Contains(C("P00")));
  CHECK_FALSE(pregnancy.Contains(C("N99")));

  const auto prefix = R("E10", "E10");
  CHECK(prefix.Contains(C("E10")));
  CHECK(prefix.Contains(C("E1065")));
  CHECK_FALSE(prefix.Contains(C("E11")));
  CHECK_FALSE(prefix.Contains(C("E1")));  // shorter than the bound: a header above it

  const auto deep = R("E084", "E084");
  CHECK(deep.Contains(C("E0842")));
  CHECK_FALSE(deep.Contains(C("E08")));  // E08 has codes outside E08.4

  const auto mixed = R("K85", "K86");
  CHECK(mixed.Contains(C("K8681")));
  CHECK_FALSE(mixed.Contains(C("K87")));

  // Bounds of different lengths, as the tabular writes them: each bound is compared on its
  // own length, so no code is cut to the shorter one.
  const auto polycystic = R("Q6111", "Q613");  // Q61.4's "(Q61.11-Q61.3)"
  CHECK(polycystic.Contains(C("Q6111")));
  CHECK(polycystic.Contains(C("Q6119")));
  CHECK(polycystic.Contains(C("Q612")));
  CHECK(polycystic.Contains(C("Q613")));
  CHECK_FALSE(polycystic.Contains(C("Q614")));
  CHECK_FALSE(polycystic.Contains(C("Q611")));  // a header above codes outside the range
  CHECK_FALSE(polycystic.Contains(C("Q6110")));
  const auto injury = R("T80", "T886");  // T88.7's "(... T80-T88.6, T88.8)"
  CHECK(injury.Contains(C("T8130XA")));
  CHECK(injury.Contains(C("T886XXA")));
  CHECK_FALSE(injury.Contains(C("T887XXA")));
  CHECK_FALSE(injury.Contains(C("T888XXA")));
  const auto in_situ = R("D06", "D073");  // R87.7's "(D06-D07.3)"
  CHECK(in_situ.Contains(C("D0730")));
  CHECK_FALSE(in_situ.Contains(C("D075")));
  CHECK_FALSE(in_situ.Contains(C("D07")));
}
