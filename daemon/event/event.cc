#include "daemon/event/event.h"

namespace amparo {

date::year_month_day Timestamp::LocalDate() const {
  const auto local = utc + std::chrono::minutes(offset_minutes);
  return date::year_month_day{date::floor<date::days>(local)};
}

}  // namespace amparo
