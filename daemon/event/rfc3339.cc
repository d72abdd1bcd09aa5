#include "daemon/event/rfc3339.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace amparo {
namespace {

constexpr std::string_view kDateShape = "dddd-dd-dd";
constexpr std::string_view kDateTimeShape = "dddd-dd-ddTdd:dd:dd";
constexpr std::string_view kOffsetShape = "dd:dd";
constexpr std::string_view kRfc3339Form =
    "is not of the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True if `text` matches `shape`, where 'd' stands for any ASCII digit and
// every other character for itself.
bool MatchesShape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool ok = shape[i] == 'd' ? IsDigit(text[i]) : text[i] == shape[i];
    if (!ok) return false;
  }
  return true;
}

// The value of a run of ASCII digits. REQUIRES: every char is a digit.
int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Splits the UTC offset off the end of `*text` and returns it in minutes.
Result<int> TakeOffset(std::string_view* text) {
  if (!text->empty() && text->back() == 'Z') {
    text->remove_suffix(1);
    return 0;
  }
  if (text->size() < 6) return Status::InvalidArgument("has no UTC offset (Z or +hh:mm)");
  const std::string_view offset = text->substr(text->size() - 6);
  if ((offset[0] != '+' && offset[0] != '-') || !MatchesShape(offset.substr(1), kOffsetShape)) {
    return Status::InvalidArgument("has no UTC offset (Z or +hh:mm)");
  }
  const int hours = DigitsValue(offset.substr(1, 2));
  const int minutes = DigitsValue(offset.substr(4, 2));
  if (hours > 23 || minutes > 59) return Status::InvalidArgument("has a UTC offset out of range");
  text->remove_suffix(6);
  return (offset[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
}

// Splits an optional ".fraction" off the end of `*text` and returns its
// milliseconds (further digits are dropped).
Result<int> TakeFraction(std::string_view* text) {
  const std::size_t dot = text->find('.');
  if (dot == std::string_view::npos) return 0;
  std::string digits(text->substr(dot + 1));
  if (digits.empty() || !MatchesShape(digits, std::string(digits.size(), 'd'))) {
    return Status::InvalidArgument(std::string(kRfc3339Form));
  }
  digits.resize(3, '0');
  text->remove_suffix(text->size() - dot);
  return DigitsValue(digits);
}

}  // namespace

Result<Timestamp> ParseRfc3339(std::string_view text) {
  std::string_view rest = text;
  Result<int> offset = TakeOffset(&rest);
  if (!offset.ok()) return offset.status();
  Result<int> millis = TakeFraction(&rest);
  if (!millis.ok()) return millis.status();
  if (!MatchesShape(rest, kDateTimeShape))
    return Status::InvalidArgument(std::string(kRfc3339Form));

  std::istringstream in{std::string(rest)};
  date::local_seconds local;
  in >> date::parse("%Y-%m-%dT%H:%M:%S", local);
  if (in.fail()) return Status::InvalidArgument("names a date or time that does not exist");

  Timestamp t;
  t.offset_minutes = *offset;
  t.utc = Instant{local.time_since_epoch() - std::chrono::minutes(*offset) +
                  std::chrono::milliseconds(*millis)};
  return t;
}

std::string FormatRfc3339(const Timestamp& t) {
  const auto local = t.utc.time_since_epoch() + std::chrono::minutes(t.offset_minutes);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(local);
  const auto millis = (local - seconds).count();
  std::string out = date::format("%FT%T", date::sys_seconds{seconds});
  char buffer[16];
  if (millis != 0) {
    std::snprintf(buffer, sizeof buffer, ".%03d", static_cast<int>(millis));
    out += buffer;
  }
  if (t.offset_minutes == 0) return out + "Z";
  const int magnitude = std::abs(t.offset_minutes);
  std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", t.offset_minutes < 0 ? '-' : '+',
                magnitude / 60, magnitude % 60);
  return out + buffer;
}

std::string FormatRfc3339Seconds(const Timestamp& t) {
  return FormatRfc3339({std::chrono::floor<std::chrono::seconds>(t.utc), t.offset_minutes});
}

std::string FormatUtc(Instant t) { return FormatRfc3339Seconds({t, 0}); }

Result<date::year_month_day> ParseIsoDate(std::string_view text) {
  if (!MatchesShape(text, kDateShape))
    return Status::InvalidArgument("is not of the form YYYY-MM-DD");
  std::istringstream in{std::string(text)};
  date::year_month_day day;
  in >> date::parse("%Y-%m-%d", day);
  if (in.fail()) return Status::InvalidArgument("names a date that does not exist");
  return day;
}

std::string FormatIsoDate(date::year_month_day d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buffer;
}

}  // namespace amparo
