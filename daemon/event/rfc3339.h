// RFC 3339 timestamps and ISO 8601 calendar dates, as the event contract
// writes them.
//
// Parsing is strict: the shape is checked byte by byte, the calendar (Feb 30,
// hour 24, ...) by Howard Hinnant's date library. Thread-safety: pure
// functions; call them from any thread.
#ifndef AMPARO_DAEMON_EVENT_RFC3339_H_
#define AMPARO_DAEMON_EVENT_RFC3339_H_

#include <string>
#include <string_view>

#include <date/date.h>

#include "daemon/core/status.h"
#include "daemon/event/event.h"

namespace amparo {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)". The offset is
// mandatory; a fraction keeps its first three digits (milliseconds); "T" and
// "Z" are upper case; leap seconds (":60") are refused. Returns the instant
// and the offset it was written with, or InvalidArgument saying what is wrong.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Writes `t` at the offset it was written with ("Z" for zero), with
// milliseconds only when they are not zero: "2026-03-01T10:15:00-06:00".
std::string FormatRfc3339(const Timestamp& t);

// Writes `t` to the second (milliseconds dropped), at the offset it was
// written with: what recipients see of an event's time.
std::string FormatRfc3339Seconds(const Timestamp& t);

// Writes `t` in UTC to the second: "2026-03-02T13:40:00Z" (deadlines, due
// instants, the tools' output).
std::string FormatUtc(Instant t);

// Parses a calendar date "YYYY-MM-DD". Returns InvalidArgument unless it has
// exactly that shape and names a day that exists.
Result<date::year_month_day> ParseIsoDate(std::string_view text);

// Writes `d` as "YYYY-MM-DD".
std::string FormatIsoDate(date::year_month_day d);

}  // namespace amparo

#endif  // AMPARO_DAEMON_EVENT_RFC3339_H_
