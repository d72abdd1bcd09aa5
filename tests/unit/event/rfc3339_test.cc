#include "daemon/event/rfc3339.h"

#include <string>

#include <catch2/catch.hpp>

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// The instant y-m-d h:min:s.ms in UTC.
Instant Utc(int y, unsigned m, unsigned d, std::chrono::milliseconds time_of_day) {
  return Instant{date::sys_days{date::year{y} / m / d}.time_since_epoch() + time_of_day};
}

TEST_CASE("ParseRfc3339 keeps the instant and the offset it was written with") {
  const auto t = ParseRfc3339("2026-03-02T07:40:00-06:00");
  REQUIRE(t.ok());
  CHECK(t->utc == Utc(2026, 3, 2, 13h + 40min));
  CHECK(t->offset_minutes == -360);
  CHECK(t->LocalDate() == date::year{2026} / 3 / 2);
}

TEST_CASE("ParseRfc3339 reads Z and positive, negative and zero offsets") {
  CHECK(ParseRfc3339("2026-03-02T13:40:00Z")->offset_minutes == 0);
  CHECK(ParseRfc3339("2026-03-02T13:40:00+00:00")->offset_minutes == 0);
  CHECK(ParseRfc3339("2026-03-02T13:40:00-00:00")->offset_minutes == 0);
  const auto nepal = ParseRfc3339("2026-03-02T19:25:00+05:45");
  REQUIRE(nepal.ok());
  CHECK(nepal->offset_minutes == 345);
  CHECK(nepal->utc == Utc(2026, 3, 2, 13h + 40min));
  CHECK(ParseRfc3339("2026-03-02T00:00:00+23:59")->offset_minutes == 23 * 60 + 59);
}

TEST_CASE("ParseRfc3339 keeps milliseconds of a fraction and drops finer digits") {
  CHECK(ParseRfc3339("2026-03-02T13:40:00.250Z")->utc == Utc(2026, 3, 2, 13h + 40min + 250ms));
  CHECK(ParseRfc3339("2026-03-02T13:40:00.5Z")->utc == Utc(2026, 3, 2, 13h + 40min + 500ms));
  CHECK(ParseRfc3339("2026-03-02T13:40:00.123456789Z")->utc ==
        Utc(2026, 3, 2, 13h + 40min + 123ms));
  CHECK(ParseRfc3339("2026-03-02T13:40:00.000Z")->utc == Utc(2026, 3, 2, 13h + 40min));
}

TEST_CASE("ParseRfc3339 crosses the date line with the offset") {
  const auto t = ParseRfc3339("2026-03-01T23:30:00-06:00");
  REQUIRE(t.ok());
  CHECK(t->utc == Utc(2026, 3, 2, 5h + 30min));
  CHECK(t->LocalDate() == date::year{2026} / 3 / 1);
}

TEST_CASE("ParseRfc3339 knows leap days") {
  CHECK(ParseRfc3339("2024-02-29T12:00:00Z").ok());
  CHECK(ParseRfc3339("2000-02-29T12:00:00Z").ok());
  CHECK_FALSE(ParseRfc3339("2026-02-29T12:00:00Z").ok());
  CHECK_FALSE(ParseRfc3339("1900-02-29T12:00:00Z").ok());
}

TEST_CASE("ParseRfc3339 refuses what is not an RFC 3339 timestamp with offset") {
  const char* bad[] = {
      "",
      "2026-03-02T07:40:00",        // No offset.
      "2026-03-02",                 // A date only.
      "2026-03-02T07:40-06:00",     // No seconds.
      "2026-03-02 07:40:00-06:00",  // Space for T.
      "2026-03-02t07:40:00z",       // Lower case.
      "2026-3-2T07:40:00Z",         // Short fields.
      "+2026-03-02T07:40:00Z",      // Sign on the year.
      "2026-03-02T07:40:00-0600",   // Offset without colon.
      "2026-03-02T07:40:00-06",     // Offset without minutes.
      "2026-03-02T07:40:00+24:00",  // Offset hour out of range.
      "2026-03-02T07:40:00-06:60",  // Offset minute out of range.
      "2026-03-02T24:00:00Z",       // Hour 24.
      "2026-03-02T23:60:00Z",       // Minute 60.
      "2026-03-02T23:59:60Z",       // Leap second.
      "2026-13-01T00:00:00Z",       // Month 13.
      "2026-00-10T00:00:00Z",       // Month 0.
      "2026-02-30T10:00:00Z",       // Feb 30.
      "2026-04-31T10:00:00Z",       // Apr 31.
      "2026-03-02T07:40:00.Z",      // Empty fraction.
      "2026-03-02T07:40:00.2a5Z",   // Letters in the fraction.
      "2026-03-02T07:40:00ZZ",      // Trailing bytes.
      " 2026-03-02T07:40:00Z",      // Leading space.
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(ParseRfc3339(text).ok());
  }
}

TEST_CASE("ParseRfc3339 says what is wrong") {
  CHECK(ParseRfc3339("2026-03-02T07:40:00").status().message() ==
        "has no UTC offset (Z or +hh:mm)");
  CHECK(ParseRfc3339("2026-03-02T07:40:00+24:00").status().message() ==
        "has a UTC offset out of range");
  CHECK(ParseRfc3339("2026-3-2T07:40:00Z").status().message() ==
        "is not of the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)");
  CHECK(ParseRfc3339("2026-02-30T10:00:00Z").status().message() ==
        "names a date or time that does not exist");
}

TEST_CASE("FormatRfc3339 writes the original offset and milliseconds only when present") {
  for (const char* text :
       {"2026-03-02T07:40:00-06:00", "2026-03-02T13:40:00Z", "2026-03-07T10:45:30.250-05:00",
        "2026-03-02T19:25:00.001+05:45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
        "2024-02-29T23:59:59-12:00"}) {
    INFO(text);
    const auto t = ParseRfc3339(text);
    REQUIRE(t.ok());
    CHECK(FormatRfc3339(*t) == text);
  }
  CHECK(FormatRfc3339(*ParseRfc3339("2026-03-02T13:40:00.000+00:00")) == "2026-03-02T13:40:00Z");
  CHECK(FormatRfc3339(*ParseRfc3339("2026-03-02T13:40:00.1239Z")) == "2026-03-02T13:40:00.123Z");
}

TEST_CASE("ParseIsoDate accepts calendar dates only") {
  CHECK(*ParseIsoDate("2010-08-14") == date::year{2010} / 8 / 14);
  CHECK(ParseIsoDate("2024-02-29").ok());
  CHECK(ParseIsoDate("2010-02-30").status().message() == "names a date that does not exist");
  CHECK(ParseIsoDate("2010-8-14").status().message() == "is not of the form YYYY-MM-DD");
  for (const char* text : {"", "20100814", "2010-08-14T00:00:00Z", "2010-13-01", "2010-08-00",
                           "2010-08-14 ", "2023-02-29"}) {
    INFO(text);
    CHECK_FALSE(ParseIsoDate(text).ok());
  }
}

TEST_CASE("FormatIsoDate pads every field") {
  CHECK(FormatIsoDate(date::year{2010} / 8 / 14) == "2010-08-14");
  CHECK(FormatIsoDate(date::year{999} / 1 / 5) == "0999-01-05");
}

}  // namespace
}  // namespace amparo
