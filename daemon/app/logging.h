// Logging: spdlog to stderr (journald), as text or as JSON lines.
//
// Every component logs through a named logger, Logger("ingest"), and all named
// loggers share one sink. A record is always exactly one line: the text format
// escapes control characters and the JSON format escapes per RFC 8259 and
// replaces bytes that are not UTF-8, so nothing a peer sends can forge a line.
// Rule 5 (DESIGN.md §8): log IDs only; a subject appears only as
// SubjectHasher::Hash (core/keyed_hash.h).
//
//   text: 2026-11-29T10:00:00.123Z info  ingest: stored event_id=e-1 subject=3fa2c09e1b7d
//   json: {"ts":"2026-11-29T10:00:00.123Z","level":"info","logger":"ingest","msg":"stored ..."}
//
// Thread-safety: Logger() and the loggers it returns may be used from any
// thread. Call SetupLogging at startup, before other threads log.
#ifndef AMPARO_DAEMON_APP_LOGGING_H_
#define AMPARO_DAEMON_APP_LOGGING_H_

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

#include "daemon/core/status.h"

namespace amparo {

enum class LogFormat { kText, kJson };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// Sends every logger, those made before and after the call and spdlog's
// default logger (what spdlog::info() and friends write to), to stderr in
// `format`, dropping records below `level`. Until it is first called, loggers
// write text at info level to stderr. When stderr is the journal (systemd
// sets JOURNAL_STREAM to its device:inode), each record starts with its
// syslog priority, "<3>" for an error, so that `journalctl -p warning`
// filters; journald strips the prefix.
Status SetupLogging(LogFormat format, LogLevel level);

// As above but writes to `sink` instead of stderr (for tests and tools),
// with the "<N>" priority prefix if `priority_prefix`.
Status SetupLogging(LogFormat format, LogLevel level, spdlog::sink_ptr sink,
                    bool priority_prefix = false);

// True if stderr is the journal stream systemd named in JOURNAL_STREAM.
bool StderrIsJournal();

// The logger named `component`, made on first use; the same object after.
std::shared_ptr<spdlog::logger> Logger(std::string_view component);

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_LOGGING_H_
