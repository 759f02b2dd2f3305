#include <catch2/catch.hpp>

#include <sstream>

#include "audit/model/error.hpp"
#include "audit/sampling/table_input.hpp"

namespace sm = coderaudit::sampling;
using coderaudit::InputError;

TEST_CASE("CSV rows handle quotes, CRLF, a BOM and blank lines", "[sampling]") {
  std::istringstream in("\xEF\xBB\xBFid,note\r\n1,\"a, \"\"quoted\"\"\nline\"\r\n\r\n2,x\n");
  const auto rows = sm::ReadCsvRows(in, "t.csv");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == std::vector<std::string>{"id", "note"});
  CHECK(rows[1].fields[1] == "a, \"quoted\"\nline");
  CHECK(rows[2].line == 5);
  std::istringstream bad("a,\"open\n");
  CHECK_THROWS_WITH(sm::ReadCsvRows(bad, "b.csv"), Catch::Contains("b.csv:1"));
}

TEST_CASE("Space-delimited files are read as RAT-STATS reads them", "[sampling]") {
  // A header separated by spaces or tabs (no comma, no quote): runs of whitespace are one
  // delimiter, on every line; amounts may still carry thousands commas.
  std::istringstream in("examined   audited\tdifference\r\n  1,200.50  1,000.00 200.50\n\n90 90\t 0\n");
  const auto rows = sm::ReadCsvRows(in, "t.txt");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fields == std::vector<std::string>{"examined", "audited", "difference"});
  CHECK(rows[1].fields == std::vector<std::string>{"1,200.50", "1,000.00", "200.50"});
  CHECK(rows[2].fields == std::vector<std::string>{"90", "90", "0"});
  CHECK(rows[2].line == 4);
  std::istringstream items("examined audited\n100 80\n50 50\n");
  const auto v = sm::ReadVariableItems(items, "v.txt");
  CHECK(*v.sample.examined == std::vector<double>{100, 50});
  CHECK(*v.sample.audited == std::vector<double>{80, 50});
  // One column, or a comma anywhere in the header: CSV as before.
  std::istringstream one("difference\n12.5\n");
  CHECK(sm::ReadCsvRows(one, "o.csv")[1].fields == std::vector<std::string>{"12.5"});
  std::istringstream csv("examined, audited\n1 , 2\n");
  CHECK(sm::ReadCsvRows(csv, "c.csv")[1].fields == std::vector<std::string>{"1 ", " 2"});
}

TEST_CASE("Amounts accept currency signs, thousands commas and accounting negatives", "[sampling]") {
  CHECK(sm::ParseAmount("1234.56", "") == 1234.56);
  CHECK(sm::ParseAmount(" $1,234.56 ", "") == 1234.56);
  CHECK(sm::ParseAmount("(12.00)", "") == -12.0);
  CHECK(sm::ParseAmount("-3", "") == -3.0);
  CHECK_THROWS_WITH(sm::ParseAmount("12x", "f.csv:3"), Catch::Contains("f.csv:3"));
  CHECK_THROWS_AS(sm::ParseAmount("", ""), InputError);
  CHECK_THROWS_AS(sm::ParseAmount("nan", ""), InputError);
  CHECK(sm::ParseCount("10,000", "") == 10000);
  CHECK_THROWS_AS(sm::ParseCount("1.5", ""), InputError);
}

TEST_CASE("Variable items are read by header name in any column order", "[sampling]") {
  std::istringstream in("Claim,Audited Value,Examined Value,Stratum\nc1,80,100,A\nc2,50,50,B\n");
  const auto items = sm::ReadVariableItems(in, "items.csv");
  REQUIRE(items.sample.examined);
  REQUIRE(items.sample.audited);
  CHECK_FALSE(items.sample.difference);
  CHECK(*items.sample.examined == std::vector<double>{100, 50});
  CHECK(items.stratum == std::vector<std::string>{"A", "B"});
  std::istringstream none("claim,amount\n1,2\n");
  CHECK_THROWS_AS(sm::ReadVariableItems(none, "x.csv"), InputError);
}

TEST_CASE("Strata sizes read with or without a header and group items", "[sampling]") {
  std::istringstream with("stratum,N_h\nA,100\nB,50\n");
  std::istringstream without("A,100\nB,50\n");
  const auto a = sm::ReadStrataSizes(with, "s.csv");
  const auto b = sm::ReadStrataSizes(without, "s.csv");
  REQUIRE(a.size() == 2);
  CHECK(a[1].id == "B");
  CHECK(a[1].universe == 50);
  CHECK(b[0].universe == 100);

  std::istringstream items_in("stratum,difference\nB,5\nA,1\nA,2\nB,7\n");
  const auto items = sm::ReadVariableItems(items_in, "i.csv");
  const auto strata = sm::GroupByStratum(items, a);
  REQUIRE(strata.size() == 2);
  CHECK(*strata[0].sample.difference == std::vector<double>{1, 2});
  CHECK(*strata[1].sample.difference == std::vector<double>{5, 7});

  std::istringstream stray_in("stratum,difference\nC,5\n");
  CHECK_THROWS_WITH(sm::GroupByStratum(sm::ReadVariableItems(stray_in, "i.csv"), a),
                    Catch::Contains("'C'"));
  std::istringstream dup("A,1\nA,2\n");
  CHECK_THROWS_AS(sm::ReadStrataSizes(dup, "d.csv"), InputError);
}

TEST_CASE("Attribute strata and probe strata read their named columns", "[sampling]") {
  std::istringstream attr("stratum,N,n,errors\nA,1000,50,5\n");
  const auto a = sm::ReadAttributeStrata(attr, "a.csv");
  REQUIRE(a.size() == 1);
  CHECK(a[0].universe == 1000);
  CHECK(a[0].sample_size == 50);
  CHECK(a[0].errors == 5);
  std::istringstream probe("stratum,universe,mean,sd\n1,1000,50.5,10.25\n");
  const auto p = sm::ReadStratumProbes(probe, "p.csv");
  REQUIRE(p.size() == 1);
  CHECK(p[0].sd == 10.25);
  std::istringstream missing("stratum,universe,mean\n1,1000,50\n");
  CHECK_THROWS_WITH(sm::ReadStratumProbes(missing, "p.csv"), Catch::Contains("'sd'"));
}
