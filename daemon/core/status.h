// Status and Result<T>: errors as values, after leveldb's Status.
//
// A Status is either OK or carries a code and a message. Every fallible API in
// amparo returns a Status or a Result<T>; exceptions stay at the edges (startup
// and third-party calls, which are caught at the wrapper and turned into a
// Status). Thread-safety: a Status is a value; distinct objects may be used
// from distinct threads freely.
#ifndef AMPARO_DAEMON_CORE_STATUS_H_
#define AMPARO_DAEMON_CORE_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace amparo {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // Input that breaks a contract: bad event, bad rule, bad config.
    kNotFound,
    kAlreadyExists,  // e.g. an event_id seen before.
    kIOError,        // The disk or a socket failed.
    kCorruption,     // Stored data does not verify.
    kUnavailable,    // A peer is down; the operation may succeed later.
    kFailedPrecondition,
    kInternal,
  };

  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The message alone, without the code's name.
  const std::string& message() const { return message_; }
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Name of a code, e.g. "InvalidArgument".
std::string_view CodeName(Status::Code code);

// Result<T> holds either a T (and an OK status()) or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  // A value: status() is OK.
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // An error. REQUIRES: !status.ok(); an OK status without a value becomes
  // Internal, so a Result is never "OK" and empty at once.
  Result(Status status)  // NOLINT(google-explicit-constructor)
      : status_(status.ok() ? Status::Internal("Result built from an OK status without a value")
                            : std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;  // OK exactly when value_ holds a value.
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_STATUS_H_
