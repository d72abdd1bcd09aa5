// Small helpers shared by the store's repositories: instants as integer
// milliseconds, reading every row of a query, and compiling a batch of
// statements. Internal to daemon/store/.
#ifndef AMPARO_DAEMON_STORE_ROWS_H_
#define AMPARO_DAEMON_STORE_ROWS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo::rows {

inline int64_t ToMillis(Instant t) { return t.time_since_epoch().count(); }

inline Instant FromMillis(int64_t ms) { return Instant(Duration(ms)); }

// Column `index` of the current row as an instant, or nullopt for NULL.
inline std::optional<Instant> OptionalInstant(const Statement& row, int index) {
  if (row.ColumnIsNull(index)) return std::nullopt;
  return FromMillis(row.ColumnInt64(index));
}

// Binds one value to parameter `index`: an Instant as milliseconds, an
// optional Instant or optional string as NULL when empty, an integer, or text.
template <typename T>
Status BindOne(Statement& statement, int index, const T& value) {
  if constexpr (std::is_same_v<T, Instant>) {
    return statement.BindInt64(index, ToMillis(value));
  } else if constexpr (std::is_same_v<T, std::optional<Instant>>) {
    return value ? statement.BindInt64(index, ToMillis(*value)) : statement.BindNull(index);
  } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
    return value ? statement.BindText(index, *value) : statement.BindNull(index);
  } else if constexpr (std::is_integral_v<T>) {
    return statement.BindInt64(index, value);
  } else {
    return statement.BindText(index, std::string_view{value});
  }
}

// Binds `values` to parameters 1, 2, ... in order (see BindOne), stopping at
// the first error.
template <typename... Values>
Status Bind(Statement& statement, const Values&... values) {
  Status status;
  int index = 0;
  ((status = status.ok() ? BindOne(statement, ++index, values) : status), ...);
  return status;
}

// Returns `limit` checked positive.
inline Status CheckLimit(int limit) {
  if (limit > 0) return Status::OK();
  return Status::InvalidArgument("limit must be positive, got " + std::to_string(limit));
}

// Steps `query` to the end, appending read(row) (a Result<T>) for each row.
template <typename T, typename Read>
Result<std::vector<T>> CollectRows(Statement& query, Read read) {
  std::vector<T> out;
  for (;;) {
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    Result<T> value = read(query);
    if (!value.ok()) return value.status();
    out.push_back(std::move(value).value());
  }
}

// Runs a data-changing statement that must touch exactly one row; NotFound
// with `what` otherwise.
inline Status RunOne(Database& db, Statement& statement, const std::string& what) {
  Status status = statement.Run();
  if (!status.ok()) return status;
  if (db.Changes() == 0) return Status::NotFound(what);
  return Status::OK();
}

// `names` as a JSON array of strings, e.g. ["consulate","child_welfare"].
std::string ToJsonArray(const std::vector<std::string>& names);

// The strings of a JSON array written by ToJsonArray. Returns Corruption for
// anything else; `what` names the column in the message.
Result<std::vector<std::string>> FromJsonArray(std::string_view json, std::string_view what);

}  // namespace amparo::rows

#endif  // AMPARO_DAEMON_STORE_ROWS_H_
