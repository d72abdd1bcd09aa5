#include "daemon/routing/agency.h"

#include <algorithm>

namespace amparo {

std::string_view AgencyKindName(AgencyKind kind) {
  return kAgencyKindNames[static_cast<size_t>(kind)];
}

bool OfficeHours::Contains(Instant t) const {
  const auto local = date::make_zoned(zone, t).get_local_time();
  const auto day = date::floor<date::days>(local);
  const auto minute = date::floor<std::chrono::minutes>(local - day);
  return days[date::weekday(day).c_encoding()] && minute >= from && minute < to &&
         !std::binary_search(holidays.begin(), holidays.end(), day);
}

bool Agency::ValidOn(date::sys_days day) const {
  return (!valid_from || *valid_from <= day) && (!valid_to || day < *valid_to);
}

bool Agency::OnDuty(Instant t) const { return !hours || hours->Contains(t); }

bool Agency::TakesRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Agency::Serves(std::string_view code) const {
  return std::find(serves.begin(), serves.end(), code) != serves.end();
}

std::vector<std::string> DefaultRoles(AgencyKind kind) {
  switch (kind) {
    case AgencyKind::kChildWelfare:
      return {"child_welfare", "receiving_child_welfare"};
    case AgencyKind::kAntiTrafficking:
      return {"anti_trafficking", "receiving_anti_trafficking"};
    case AgencyKind::kForeignMinistry:
      return {};
    default:
      return {std::string(AgencyKindName(kind))};
  }
}

}  // namespace amparo
