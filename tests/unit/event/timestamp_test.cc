#include <catch2/catch.hpp>

#include "daemon/event/event.h"

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

}  // namespace
}  // namespace amparo
