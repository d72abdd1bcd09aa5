#include "daemon/app/logging.h"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

namespace amparo {

namespace {

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

void Append(std::string_view s, spdlog::memory_buf_t* out) {
  out->append(s.data(), s.data() + s.size());
}

// "2026-11-29T10:00:00.123Z"
void AppendTimestamp(spdlog::log_clock::time_point time, spdlog::memory_buf_t* out) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds);
  const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  fmt::format_to(std::back_inserter(*out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 millis.count());
}

// Control characters as \n, \r, \t or \xHH, so that a record stays one line.
void AppendEscapedText(std::string_view s, spdlog::memory_buf_t* out) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out->push_back(c);
    } else if (c == '\n') {
      Append("\\n", out);
    } else if (c == '\r') {
      Append("\\r", out);
    } else if (c == '\t') {
      Append("\\t", out);
    } else {
      fmt::format_to(std::back_inserter(*out), "\\x{:02x}", byte);
    }
  }
}

// A JSON string literal; bytes that are not UTF-8 become U+FFFD.
void AppendJsonString(std::string_view s, spdlog::memory_buf_t* out) {
  Append(
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      out);
}

std::string_view View(spdlog::string_view_t s) { return {s.data(), s.size()}; }

// 2026-11-29T10:00:00.123Z info  ingest: stored event_id=e-1
class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    AppendTimestamp(msg.time, &dest);
    fmt::format_to(std::back_inserter(dest), " {:<5} ", LevelName(msg.level));
    AppendEscapedText(View(msg.logger_name), &dest);
    Append(": ", &dest);
    AppendEscapedText(View(msg.payload), &dest);
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

// {"ts":"2026-11-29T10:00:00.123Z","level":"info","logger":"ingest","msg":"stored event_id=e-1"}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    Append("{\"ts\":\"", &dest);
    AppendTimestamp(msg.time, &dest);
    Append("\",\"level\":\"", &dest);
    Append(LevelName(msg.level), &dest);
    Append("\",\"logger\":", &dest);
    AppendJsonString(View(msg.logger_name), &dest);
    Append(",\"msg\":", &dest);
    AppendJsonString(View(msg.payload), &dest);
    Append("}\n", &dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// The sd-daemon(3) priority of a record: "<3>" for an error, and so on.
std::string_view Priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return "<2>";
    case spdlog::level::err:
      return "<3>";
    case spdlog::level::warn:
      return "<4>";
    case spdlog::level::info:
      return "<6>";
    default:
      return "<7>";
  }
}

// Prefixes each record of `inner` with its priority, for journald.
class PriorityFormatter final : public spdlog::formatter {
 public:
  explicit PriorityFormatter(std::unique_ptr<spdlog::formatter> inner) : inner_(std::move(inner)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    Append(Priority(msg.level), &dest);
    inner_->format(msg, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<PriorityFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

std::unique_ptr<spdlog::formatter> MakeFormatter(LogFormat format, bool priority_prefix = false) {
  std::unique_ptr<spdlog::formatter> f;
  if (format == LogFormat::kJson) {
    f = std::make_unique<JsonFormatter>();
  } else {
    f = std::make_unique<TextFormatter>();
  }
  if (priority_prefix) return std::make_unique<PriorityFormatter>(std::move(f));
  return f;
}

spdlog::sink_ptr StderrSink(LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(MakeFormatter(format));
  return sink;
}

// The one sink every logger writes to. It forwards to a target that
// SetupLogging may replace at any time, so loggers never change sinks.
class SwitchSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit SwitchSink(spdlog::sink_ptr target) : target_(std::move(target)) {}

  void SetTarget(spdlog::sink_ptr target) {
    std::lock_guard<std::mutex> lock(mutex_);
    target_ = std::move(target);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override { target_->log(msg); }
  void flush_() override { target_->flush(); }

 private:
  spdlog::sink_ptr target_;  // Guarded by mutex_.
};

struct Registry {
  std::mutex mu;
  const std::shared_ptr<SwitchSink> sink =
      std::make_shared<SwitchSink>(StderrSink(LogFormat::kText));
  spdlog::level::level_enum level = spdlog::level::info;                        // Guarded by mu.
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;  // Guarded by mu.
};

// Never destroyed: components may still log while static objects are destroyed.
Registry& GetRegistry() {
  static Registry* const registry = new Registry;
  return *registry;
}

}  // namespace

bool StderrIsJournal() {
  // Read at start-up, before any other thread exists.
  const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe)
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  // "DEVICE:INODE", both decimal.
  const std::string_view text(stream);
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto number = [](std::string_view digits, unsigned long long* out) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
  };
  unsigned long long dev = 0;
  unsigned long long ino = 0;
  if (!number(text.substr(0, colon), &dev) || !number(text.substr(colon + 1), &ino)) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

Status SetupLogging(LogFormat format, LogLevel level) {
  return SetupLogging(format, level, StderrSink(format), StderrIsJournal());
}

Status SetupLogging(LogFormat format, LogLevel level, spdlog::sink_ptr sink, bool priority_prefix) {
  if (sink == nullptr) return Status::InvalidArgument("SetupLogging: no sink");
  sink->set_formatter(MakeFormatter(format, priority_prefix));
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.level = ToSpdlog(level);
  registry.sink->SetTarget(std::move(sink));
  for (auto& [name, logger] : registry.loggers) logger->set_level(registry.level);
  // Most of the daemon logs through spdlog's default logger: it follows too.
  auto default_logger = std::make_shared<spdlog::logger>("amparod", registry.sink);
  default_logger->set_level(registry.level);
  default_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(default_logger));
  return Status::OK();
}

std::shared_ptr<spdlog::logger> Logger(std::string_view component) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = registry.loggers.find(component);
  if (it == registry.loggers.end()) {
    auto logger = std::make_shared<spdlog::logger>(std::string(component), registry.sink);
    logger->set_level(registry.level);
    it = registry.loggers.emplace(std::string(component), std::move(logger)).first;
  }
  return it->second;
}

}  // namespace amparo
