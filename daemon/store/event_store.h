// EventStore: the repository the ingest path writes events and dead letters
// to, and the pipeline reads pending events from (DESIGN.md §1, §3, §7).
//
// Every write is one SQLite transaction: an event (or its duplicate count, or
// a dead letter) is durable when the call returns OK, which is what lets the
// ingest callback return and the broker get its PUBACK.
#ifndef AMPARO_DAEMON_STORE_EVENT_STORE_H_
#define AMPARO_DAEMON_STORE_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/database.h"

namespace amparo {

struct StoreOptions {
  // The SQLite file; created with its folder's permissions if missing.
  std::string path;
  // What a commit must survive.
  Durability durability = Durability::kProcess;
};

enum class IngestOutcome {
  kStored,     // A new event_id: the event is stored, pending.
  kDuplicate,  // The event_id was stored before; only the duplicates counter moved.
};

// An event that passed decoding and validation, as the ingest path hands it over.
// The views must stay valid for the duration of the call only.
struct IncomingEvent {
  std::string_view event_id;
  std::string_view topic;
  std::string_view type;         // Event type, e.g. "apprehension".
  std::string_view subject_key;  // Keyed hash of the subject: no personal data.
  std::string_view body;         // The normalized event JSON.
  Instant occurred_at;
  Instant received_at;
};

enum class EventState { kPending, kProcessed, kFailed };

struct StoredEvent {
  int64_t id = 0;  // Row id: increases with arrival order.
  std::string event_id;
  std::string topic;
  std::string type;
  std::string subject_key;
  Instant occurred_at;
  Instant received_at;
  std::string body;
  EventState state = EventState::kPending;
};

struct DeadLetter {
  int64_t id = 0;
  Instant received_at;
  std::string topic;
  std::optional<std::string> event_id;  // When the payload got far enough to have one.
  std::string reason;
  std::string raw;  // The payload's bytes exactly as received.
};

struct EventCounts {
  int64_t pending = 0;
  int64_t processed = 0;
  int64_t failed = 0;
  int64_t dead_letters = 0;  // Ever stored (durable counter).
  int64_t duplicates = 0;    // Ever seen (durable counter).
};

// Thread-safety: an EventStore is used from ONE thread; it owns its own
// connection and its prepared statements. The daemon opens two on the same
// file: one on Paho's callback thread (ingest) and one on the event loop. WAL
// lets readers run beside the writer, and BEGIN IMMEDIATE with the busy
// timeout makes the two writers wait for each other instead of failing.
class EventStore {
 public:
  // Open or create the store at options.path and bring its schema up to date.
  // Returns IOError if the file cannot be opened or created, Corruption if it is
  // not a SQLite database, FailedPrecondition if its schema is newer than this build.
  static Result<std::unique_ptr<EventStore>> Open(const StoreOptions& options);

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;
  ~EventStore();

  // Commit the event as pending, or recognise its event_id as already stored
  // and count a duplicate. One transaction, with the audit record of a stored
  // event (store/audit_log.h). Returns InvalidArgument for an empty event_id.
  Result<IngestOutcome> InsertEvent(const IncomingEvent& event);
  // Commits a transaction that rewrites one row as it is: OK when the store
  // can take a commit now (not on a full disk, nor a read-only file).
  Status ProbeWritable();
  // Commit a dead letter with the raw bytes and the reason, and count it. One
  // transaction, with its audit record.
  Status InsertDeadLetter(std::string_view topic, std::optional<std::string_view> event_id,
                          std::string_view reason, std::string_view raw, Instant received_at);
  // Return the events still pending (stored but not processed), oldest first, at
  // most `limit`. Returns InvalidArgument unless limit > 0.
  Result<std::vector<StoredEvent>> PendingEvents(int limit);
  // Return the stored event with `event_id`, or nullopt if there is none.
  Result<std::optional<StoredEvent>> FindEvent(std::string_view event_id);
  // Mark event row `id` processed at `at`. Returns NotFound for an unknown id.
  Status MarkProcessed(int64_t id, Instant at);
  // Mark event row `id` failed at `at` with `error`. Returns NotFound for an unknown id.
  Status MarkFailed(int64_t id, std::string_view error, Instant at);
  // Return the durable counter `name`: "stored", "duplicates" or "dead_letters".
  // Returns NotFound for any other name.
  Result<int64_t> Counter(std::string_view name);
  // Return the events by state and the dead-letter and duplicate counters, from one snapshot.
  Result<EventCounts> Counts();
  // Return the most recent dead letters, newest first, at most `limit`.
  // Returns InvalidArgument unless limit > 0.
  Result<std::vector<DeadLetter>> DeadLetters(int limit);
  // Commit one audit record on its own (a config reload). One transaction.
  Status RecordAudit(std::string_view kind, std::string_view ref, std::string_view detail,
                     Instant at);
  // Return the connection, for later repositories and tests. Same thread as this store.
  Database& db() { return *db_; }

 private:
  struct Statements;

  EventStore(std::unique_ptr<Database> db, std::unique_ptr<Statements> statements,
             std::unique_ptr<AuditLog> audit);
  Result<bool> InsertEventRow(const IncomingEvent& event);
  Status InsertDeadLetterRow(std::string_view topic, std::optional<std::string_view> event_id,
                             std::string_view reason, std::string_view raw, Instant received_at);
  Status BumpCounter(std::string_view name);
  Status UpdateEvent(Statement& update, int64_t id);

  std::unique_ptr<Database> db_;
  std::unique_ptr<Statements> statements_;  // Finalized before db_ closes.
  std::unique_ptr<AuditLog> audit_;         // Likewise.
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_EVENT_STORE_H_
