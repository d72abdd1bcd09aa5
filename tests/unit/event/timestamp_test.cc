#include <catch2/catch.hpp>

#include "daemon/event/event.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

TEST_CASE("Timestamp::LocalDate uses the offset the timestamp was written with") {
  // 2026-03-01T05:30:00Z is still 2026-02-28 in Chiapas (-06:00).
  Timestamp t;
  t.utc = Instant{date::sys_days{date::year{2026} / 3 / 1}.time_since_epoch() + 5h + 30min};
  t.offset_minutes = -360;
  CHECK(t.LocalDate() == date::year{2026} / 2 / 28);
  t.offset_minutes = 0;
  CHECK(t.LocalDate() == date::year{2026} / 3 / 1);
}

TEST_CASE("Timestamp::LocalHour and LocalIsoWeekday use the offset, not UTC") {
  // 2026-03-02T04:30Z is Monday in UTC, but Sunday 1 March 22:30 at -06:00.
  Timestamp t;
  t.utc = Instant{date::sys_days{date::year{2026} / 3 / 2}.time_since_epoch() + 4h + 30min};
  t.offset_minutes = 0;
  CHECK(t.LocalHour() == 4);
  CHECK(t.LocalIsoWeekday() == 1);  // Monday.
  t.offset_minutes = -360;
  CHECK(t.LocalDate() == date::year{2026} / 3 / 1);
  CHECK(t.LocalHour() == 22);
  CHECK(t.LocalIsoWeekday() == 7);  // Sunday.
  // East of UTC the local day can run ahead: 04:30Z is 14:30 at +10:00.
  t.offset_minutes = 600;
  CHECK(t.LocalHour() == 14);
  CHECK(t.LocalIsoWeekday() == 1);
  // A half-hour offset moves the hour too: 04:30Z is 10:00 at +05:30.
  t.offset_minutes = 330;
  CHECK(t.LocalHour() == 10);
}

TEST_CASE("Timestamp::LocalHour and LocalIsoWeekday of parsed timestamps") {
  struct Case {
    const char* text;
    int hour;
    int iso_weekday;
  };
  const Case cases[] = {
      {"2026-03-01T22:30:00-06:00", 22, 7},  // Sunday evening in Chiapas.
      {"2026-03-02T00:00:00-06:00", 0, 1},   // Local midnight: Monday, hour 0.
      {"2026-03-01T23:59:59.999-06:00", 23, 7}, {"2026-03-07T06:00:00-05:00", 6, 6},  // Saturday.
      {"2026-03-07T08:00:00+14:00", 8, 6},   // Saturday; Friday 18:00 in UTC.
      {"2026-03-06T20:00:00-12:00", 20, 5},  // Friday; Saturday 08:00 in UTC.
      {"2024-02-29T12:00:00Z", 12, 4},       // A leap day, a Thursday.
      {"1969-12-31T23:00:00-01:00", 23, 3},  // Before the epoch: a Wednesday.
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto t = ParseRfc3339(c.text);
    REQUIRE(t.ok());
    CHECK(t->LocalHour() == c.hour);
    CHECK(t->LocalIsoWeekday() == c.iso_weekday);
  }
}

}  // namespace
}  // namespace amparo
