#include "daemon/event/event.h"

namespace amparo {

date::year_month_day Timestamp::LocalDate() const {
  const auto local = utc + std::chrono::minutes(offset_minutes);
  return date::year_month_day{date::floor<date::days>(local)};
}

int Timestamp::LocalHour() const {
  const auto local = utc + std::chrono::minutes(offset_minutes);
  const auto since_midnight = local - date::floor<date::days>(local);
  return static_cast<int>(std::chrono::floor<std::chrono::hours>(since_midnight).count());
}

int Timestamp::LocalIsoWeekday() const {
  const auto local = utc + std::chrono::minutes(offset_minutes);
  return static_cast<int>(date::weekday{date::floor<date::days>(local)}.iso_encoding());
}

ScreeningOutcome TvpraScreening::Outcome() const {
  if (trafficking_victim == ScreeningAnswer::kYes || credible_fear == ScreeningAnswer::kYes ||
      independent_decision == ScreeningAnswer::kNo) {
    return ScreeningOutcome::kScreenedIn;
  }
  if (trafficking_victim == ScreeningAnswer::kNo && credible_fear == ScreeningAnswer::kNo &&
      independent_decision == ScreeningAnswer::kYes) {
    return ScreeningOutcome::kScreenedOut;
  }
  return ScreeningOutcome::kPending;
}

}  // namespace amparo
