#include "daemon/app/logging.h"

#include <chrono>
#include <cstdlib>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace amparo {
namespace {

// Captures what the loggers write, in `format` at `level`.
class Capture {
 public:
  Capture(LogFormat format, LogLevel level, bool priority_prefix = false)
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    REQUIRE(SetupLogging(format, level, sink_, priority_prefix).ok());
  }
  ~Capture() { (void)SetupLogging(LogFormat::kText, LogLevel::kInfo); }

  // Formats one record with a fixed time, straight through the sink.
  void Write(std::chrono::system_clock::time_point time, std::string_view logger,
             spdlog::level::level_enum level, std::string_view message) {
    sink_->log(spdlog::details::log_msg(time, spdlog::source_loc{}, logger, level, message));
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string Text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

std::chrono::system_clock::time_point FixedTime() {
  // 2026-11-29T10:00:00.123Z
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1795946400123));
}

TEST_CASE("Text records read: time, level, logger, message") {
  Capture capture(LogFormat::kText, LogLevel::kInfo);
  capture.Write(FixedTime(), "ingest", spdlog::level::info,
                "stored event_id=e-1 subject=3fa2c09e1b7d");
  capture.Write(FixedTime(), "delivery", spdlog::level::warn, "retry alert_id=a-7");
  capture.Write(FixedTime(), "delivery", spdlog::level::err, "dead alert_id=a-7");
  CHECK(capture.Text() ==
        "2026-11-29T10:00:00.123Z info  ingest: stored event_id=e-1 subject=3fa2c09e1b7d\n"
        "2026-11-29T10:00:00.123Z warn  delivery: retry alert_id=a-7\n"
        "2026-11-29T10:00:00.123Z error delivery: dead alert_id=a-7\n");
}

TEST_CASE("Text records escape control characters so that a record is one line") {
  Capture capture(LogFormat::kText, LogLevel::kInfo);
  capture.Write(FixedTime(), "ingest", spdlog::level::info,
                std::string_view("a\nb\rc\td\x01\x7f\0e", 11));
  CHECK(capture.Text() == "2026-11-29T10:00:00.123Z info  ingest: a\\nb\\rc\\td\\x01\\x7f\\x00e\n");
}

TEST_CASE("JSON records are one object per line") {
  Capture capture(LogFormat::kJson, LogLevel::kInfo);
  capture.Write(FixedTime(), "ingest", spdlog::level::info, "stored \"e-1\" \\ ok");
  CHECK(capture.Text() ==
        "{\"ts\":\"2026-11-29T10:00:00.123Z\",\"level\":\"info\",\"logger\":\"ingest\","
        "\"msg\":\"stored \\\"e-1\\\" \\\\ ok\"}\n");
}

TEST_CASE("Any message bytes give a valid JSON line") {
  Capture capture(LogFormat::kJson, LogLevel::kTrace);
  std::vector<std::string> messages;
  for (int byte = 0; byte < 256; ++byte) messages.emplace_back(1, static_cast<char>(byte));
  std::mt19937 random(42);
  std::uniform_int_distribution<int> byte_of(0, 255);
  std::uniform_int_distribution<int> length_of(0, 64);
  for (int i = 0; i < 1000; ++i) {
    std::string message;
    for (int n = length_of(random); n > 0; --n) message += static_cast<char>(byte_of(random));
    messages.push_back(message);
  }
  messages.emplace_back("ni\xc3\xb1o \xe2\x82\xac \xf0\x9f\x98\x80");  // Valid UTF-8 stays.
  messages.emplace_back(
      "\xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80");  // Surrogate, overlong, > U+10FFFF.

  auto logger = Logger("fuzz");
  for (const std::string& message : messages) logger->info("{}", message);

  const std::vector<std::string> lines = capture.Lines();
  REQUIRE(lines.size() == messages.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO("message " << i);
    nlohmann::json record;
    REQUIRE_NOTHROW(record = nlohmann::json::parse(lines[i]));
    CHECK(record.size() == 4);
    CHECK(record["level"] == "info");
    CHECK(record["logger"] == "fuzz");
    CHECK(record["msg"].is_string());
  }
  CHECK(nlohmann::json::parse(lines[lines.size() - 2])["msg"] == messages[messages.size() - 2]);
  CHECK(nlohmann::json::parse(lines[' '])["msg"] == " ");
  CHECK(nlohmann::json::parse(lines['\n'])["msg"] == "\n");
}

TEST_CASE("Records below the level are dropped") {
  Capture capture(LogFormat::kText, LogLevel::kWarn);
  auto logger = Logger("delivery");
  logger->info("dropped");
  logger->warn("kept {}", 1);
  logger->error("kept {}", 2);
  const std::vector<std::string> lines = capture.Lines();
  REQUIRE(lines.size() == 2);
  const std::regex warn_line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn  delivery: kept 1)");
  CHECK(std::regex_match(lines[0], warn_line));
  CHECK(lines[1].ends_with(" error delivery: kept 2"));
}

TEST_CASE("Named loggers share one sink and follow SetupLogging") {
  auto early = Logger("early");
  CHECK(Logger("early") == early);
  Capture capture(LogFormat::kJson, LogLevel::kDebug);
  early->debug("one");
  Logger("late")->debug("two");
  const std::vector<std::string> lines = capture.Lines();
  REQUIRE(lines.size() == 2);
  CHECK(nlohmann::json::parse(lines[0])["logger"] == "early");
  CHECK(nlohmann::json::parse(lines[0])["level"] == "debug");
  CHECK(nlohmann::json::parse(lines[1])["logger"] == "late");
}

TEST_CASE("spdlog's default logger follows the configured format and level") {
  Capture capture(LogFormat::kJson, LogLevel::kWarn);
  spdlog::info("dropped");
  spdlog::warn("kept {}", 1);
  const std::vector<std::string> lines = capture.Lines();
  REQUIRE(lines.size() == 1);
  const nlohmann::json record = nlohmann::json::parse(lines[0]);
  CHECK(record["level"] == "warn");
  CHECK(record["msg"] == "kept 1");
}

TEST_CASE("Journald priorities prefix each record when asked, and only then") {
  SECTION("with the prefix") {
    Capture capture(LogFormat::kText, LogLevel::kDebug, /*priority_prefix=*/true);
    spdlog::error("e");
    spdlog::warn("w");
    spdlog::info("i");
    spdlog::debug("d");
    Logger("delivery")->critical("c");
    const std::vector<std::string> lines = capture.Lines();
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].starts_with("<3>"));
    CHECK(lines[1].starts_with("<4>"));
    CHECK(lines[2].starts_with("<6>"));
    CHECK(lines[3].starts_with("<7>"));
    CHECK(lines[4].starts_with("<2>"));
  }
  SECTION("JSON with the prefix: the rest of the line is still one JSON object") {
    Capture capture(LogFormat::kJson, LogLevel::kInfo, /*priority_prefix=*/true);
    spdlog::warn("w");
    const std::vector<std::string> lines = capture.Lines();
    REQUIRE(lines.size() == 1);
    REQUIRE(lines[0].starts_with("<4>{"));
    CHECK(nlohmann::json::parse(lines[0].substr(3))["msg"] == "w");
  }
  SECTION("without") {
    Capture capture(LogFormat::kText, LogLevel::kInfo);
    spdlog::error("e");
    REQUIRE(capture.Lines().size() == 1);
    CHECK_FALSE(capture.Lines()[0].starts_with("<"));
  }
}

TEST_CASE("StderrIsJournal needs JOURNAL_STREAM to name stderr") {
  ::unsetenv("JOURNAL_STREAM");
  CHECK_FALSE(StderrIsJournal());
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  CHECK_FALSE(StderrIsJournal());
  ::unsetenv("JOURNAL_STREAM");
}

TEST_CASE("SetupLogging refuses a missing sink") {
  CHECK(SetupLogging(LogFormat::kText, LogLevel::kInfo, nullptr).code() ==
        Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace amparo
