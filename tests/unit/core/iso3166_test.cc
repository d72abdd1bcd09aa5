#include "daemon/core/iso3166.h"

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

constexpr const char* kPart1 = R"({"3166-1": [{"alpha_2": "MX", "name": "Mexico"},
                                             {"alpha_2": "GT", "name": "Guatemala"}]})";
constexpr const char* kPart2 = R"({"3166-2": [{"code": "MX-CHP", "name": "Chiapas"},
                                             {"code": "GT-QZ", "name": "Quetzaltenango"}]})";

TEST_CASE("Iso3166Table knows exactly the codes its iso-codes files list") {
  Result<Iso3166Table> table = Iso3166Table::Parse(kPart1, kPart2);
  REQUIRE(table.ok());
  CHECK(table->IsCountry("MX"));
  CHECK(table->IsCountry("GT"));
  CHECK_FALSE(table->IsCountry("US"));  // not in this small list
  CHECK(table->IsSubdivision("MX-CHP"));
  CHECK_FALSE(table->IsSubdivision("MX-ZZZ"));
  CHECK_FALSE(table->IsSubdivision("MX"));
  CHECK(table->country_count() == 2);
  CHECK(table->subdivision_count() == 2);
}

TEST_CASE("Iso3166Table refuses files of another shape, naming the file") {
  CHECK(Iso3166Table::Parse("nope", kPart2).status().message() == "iso_3166-1.json: not JSON");
  CHECK(Iso3166Table::Parse(R"({"3166-1": []})", kPart2).status().message() ==
        "iso_3166-1.json: lists no codes");
  CHECK(Iso3166Table::Parse(kPart1, R"({"3166-2": [{"name": "x"}]})").status().message() ==
        "iso_3166-2.json: an entry of \"3166-2\" has no string \"code\"");
  CHECK(Iso3166Table::Parse(kPart1, R"({"3166-2": [{"code": "US-TX"}]})").status().message() ==
        "iso_3166-2.json: \"US-TX\" is not a subdivision of a country in iso_3166-1.json");
}

TEST_CASE("Iso3166Table loads Debian's iso-codes as installed by scripts/install-deps") {
  Result<Iso3166Table> table = Iso3166Table::LoadDir(std::string(kDefaultIsoCodesDir));
  REQUIRE(table.ok());
  CHECK(table->country_count() >= 249);
  CHECK(table->subdivision_count() > 4000);
  for (const char* code : {"MX-CHP", "MX-CMX", "GT-SM", "PA-5", "PA-EM", "US-TX", "CR-H"}) {
    INFO(code);
    CHECK(table->IsSubdivision(code));
  }
  for (const char* code : {"MX-ZZZ", "MX-9", "GT-XX", "US-ZZ"}) {
    INFO(code);
    CHECK_FALSE(table->IsSubdivision(code));
  }
  // The process-wide lookups use it too when nothing else was installed.
  CHECK(Iso3166DefaultStatus().ok());
  CHECK(IsSubdivisionCode("MX-CHP"));
  CHECK_FALSE(IsSubdivisionCode("MX-ZZZ"));
  CHECK(IsCountryCode("HN"));
  CHECK_FALSE(IsCountryCode("ZZ"));
}

TEST_CASE("InstallIso3166Dir names the missing file and keeps the table in use") {
  testing::TempDir dir;
  const Status s = InstallIso3166Dir(dir.path().string());
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find(dir.path().string() + "/iso_3166-1.json") != std::string::npos);
  CHECK(IsSubdivisionCode("MX-CHP"));
}

}  // namespace
}  // namespace amparo
