#include "daemon/store/migrations.h"

#include <array>
#include <string>

namespace amparo {
namespace {

// The schema, oldest first. Never edit a migration that has shipped: append one.
constexpr std::array kMigrations = {
    Migration{1, "events and dead letters", R"sql(
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        received_at_ms INTEGER NOT NULL,
        topic TEXT NOT NULL,
        type TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        occurred_at_ms INTEGER NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'processed', 'failed')),
        processed_at_ms INTEGER,
        error TEXT
      );
      CREATE INDEX events_by_state ON events(state);
      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY,
        received_at_ms INTEGER NOT NULL,
        topic TEXT NOT NULL,
        event_id TEXT,
        reason TEXT NOT NULL,
        raw BLOB NOT NULL
      );
    )sql"},
    Migration{2, "durable counters; dead letters by time", R"sql(
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO counters(name, value) VALUES
        ('stored', (SELECT COUNT(*) FROM events)),
        ('duplicates', 0),
        ('dead_letters', (SELECT COUNT(*) FROM dead_letters));
      CREATE INDEX dead_letters_by_received_at ON dead_letters(received_at_ms);
    )sql"},
    Migration{3, "cases, alerts, acks, the delivery outbox and legal clocks", R"sql(
      CREATE TABLE cases (
        subject_key TEXT PRIMARY KEY,
        first_custody_at_ms INTEGER,
        last_event_at_ms INTEGER NOT NULL,
        events INTEGER NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL,
        alerted_roles TEXT NOT NULL,
        country TEXT NOT NULL,
        admin1 TEXT NOT NULL,
        facility_type TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        agency_id TEXT NOT NULL,
        role TEXT NOT NULL,
        opening_event_id TEXT NOT NULL,
        last_event_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open'
          CHECK (state IN ('open', 'acknowledged', 'closed')),
        version INTEGER NOT NULL CHECK (version >= 1),
        deadline_ms INTEGER,
        escalates_to TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE UNIQUE INDEX alerts_one_open ON alerts(rule_id, subject_key, agency_id)
        WHERE state = 'open';
      CREATE INDEX alerts_by_subject ON alerts(subject_key);
      CREATE TABLE acks (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
        agency_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        by TEXT NOT NULL,
        note TEXT NOT NULL,
        via TEXT NOT NULL
      );
      CREATE INDEX acks_by_alert ON acks(alert_id);
      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
        version INTEGER NOT NULL,
        agency_id TEXT NOT NULL,
        channel_index INTEGER NOT NULL CHECK (channel_index >= 0),
        channel_type TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'delivered', 'failed', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        created_at_ms INTEGER NOT NULL,
        delivered_at_ms INTEGER,
        idempotency_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        escalated_from INTEGER REFERENCES deliveries(id),
        UNIQUE (alert_id, version, agency_id, channel_index)
      );
      CREATE INDEX deliveries_due ON deliveries(next_attempt_at_ms, id) WHERE state = 'pending';
      CREATE TABLE clocks (
        clock_id TEXT NOT NULL,
        key TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        event_id TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        warn_at_ms INTEGER,
        due_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'stopped')),
        warned INTEGER NOT NULL DEFAULT 0,
        expired INTEGER NOT NULL DEFAULT 0,
        roles TEXT NOT NULL,
        stopped_at_ms INTEGER,
        PRIMARY KEY (clock_id, key, started_at_ms)
      );
      CREATE UNIQUE INDEX clocks_one_running ON clocks(clock_id, key) WHERE state = 'running';
    )sql"},
    Migration{4, "case facts of the TVPRA screening and the restitution plan", R"sql(
      ALTER TABLE cases ADD COLUMN tvpra_screening TEXT NOT NULL DEFAULT '';
      ALTER TABLE cases ADD COLUMN restitution_plan INTEGER NOT NULL DEFAULT 0
        CHECK (restitution_plan IN (0, 1));
    )sql"},
    // ClockStore::NextDueAt runs after every event that starts or stops a
    // clock: with these it reads two index entries instead of every running clock.
    Migration{5, "indexes for the next clock warning and expiry", R"sql(
      CREATE INDEX clocks_next_warning ON clocks(warn_at_ms)
        WHERE state = 'running' AND warned = 0 AND warn_at_ms IS NOT NULL;
      CREATE INDEX clocks_next_expiry ON clocks(due_at_ms)
        WHERE state = 'running' AND expired = 0 AND (warned != 0 OR warn_at_ms IS NULL);
    )sql"},
    // CaseSnapshot::custody_since: clocks anchored on custody.start, started
    // by a later event of the same custody, count from its start.
    Migration{6, "the start of the current custody spell of a case", R"sql(
      ALTER TABLE cases ADD COLUMN custody_since_ms INTEGER;
    )sql"},
    // Payloads are built when they are sent, for the agency they go to, in its
    // language and disclosure (an escalation must never carry what was built
    // for another agency). An alert keeps what it is about, whoever receives
    // it; the outbox keeps references. Older alerts' `about` is recovered from
    // the payload built for their first agency (its one language).
    Migration{7, "alerts keep what they are about; the outbox keeps no payloads", R"sql(
      ALTER TABLE alerts ADD COLUMN about TEXT NOT NULL DEFAULT '{}';
      UPDATE alerts SET about = json_object(
        'kind', json_extract(payload, '$.kind'),
        'rule', json_extract(payload, '$.rule'),
        'severity', json_extract(payload, '$.severity'),
        'title', json_object(COALESCE(json_extract(payload, '$.language'), 'en'),
                             json_extract(payload, '$.title')),
        'summary', CASE WHEN json_extract(payload, '$.summary') IS NULL THEN json_object()
                   ELSE json_object(COALESCE(json_extract(payload, '$.language'), 'en'),
                                    json_extract(payload, '$.summary')) END,
        'legal_basis', json(COALESCE(json_extract(payload, '$.legal_basis'), '[]')),
        'deadline_ms', deadline_ms)
      WHERE json_valid(payload);
      ALTER TABLE alerts DROP COLUMN payload;
      ALTER TABLE deliveries DROP COLUMN payload;
    )sql"},
    // CaseSnapshot::born_not_before / born_not_after: the bounds the age
    // evidence of a case puts on the birth date (subject.age_conflict), as the
    // instant of that day's UTC midnight; NULL when no evidence bounds it.
    Migration{8, "the age evidence of a case", R"sql(
      ALTER TABLE cases ADD COLUMN born_not_before_ms INTEGER;
      ALTER TABLE cases ADD COLUMN born_not_after_ms INTEGER;
    )sql"},
    // AckStore (issue 9): an ack names the alert version or an idempotency
    // key, so a repeat is recognised (acks_once); an ack the daemon refuses
    // (unknown alert, not a recipient, malformed) is kept with its reason in
    // refused_acks, never dropped. refused_acks.alert_id has no foreign key:
    // an unknown alert id is one of the reasons to refuse. EscalationStore:
    // an alert escalated for want of an ack is marked (escalated_at_ms), the
    // alert it opened names it (escalated_from), and each step is a row of
    // escalations.
    Migration{9, "acks: versions, idempotency keys, refusals; the escalation ladder", R"sql(
      ALTER TABLE acks ADD COLUMN version INTEGER;
      ALTER TABLE acks ADD COLUMN idempotency_key TEXT;
      ALTER TABLE acks ADD COLUMN received_at_ms INTEGER;
      CREATE UNIQUE INDEX acks_once ON acks(alert_id, agency_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE TABLE refused_acks (
        id INTEGER PRIMARY KEY,
        received_at_ms INTEGER NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('mqtt', 'http')),
        agency_id TEXT NOT NULL,
        alert_id TEXT,
        reason_code TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw BLOB NOT NULL
      );
      CREATE INDEX refused_acks_by_received_at ON refused_acks(received_at_ms);
      ALTER TABLE alerts ADD COLUMN escalated_at_ms INTEGER;
      ALTER TABLE alerts ADD COLUMN escalated_from TEXT REFERENCES alerts(alert_id);
      CREATE INDEX alerts_next_ack_timeout ON alerts(deadline_ms)
        WHERE state = 'open' AND escalated_at_ms IS NULL AND deadline_ms IS NOT NULL
          AND deadline_ms > created_at_ms;
      CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        from_alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
        to_alert_id TEXT REFERENCES alerts(alert_id),
        from_agency TEXT NOT NULL,
        to_agency TEXT,
        reason TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      );
      CREATE INDEX escalations_by_from ON escalations(from_alert_id);
    )sql"},
    Migration{10, "ladder and clock-alert indexes; refused acks of e-mail links", R"sql(
      CREATE INDEX alerts_by_escalated_from ON alerts(escalated_from)
        WHERE escalated_from IS NOT NULL;
      CREATE INDEX alerts_unclosed_clock ON alerts(subject_key)
        WHERE state != 'closed' AND (rule_id LIKE '%:warning' OR rule_id LIKE '%:due');
      CREATE TABLE refused_acks_v10 (
        id INTEGER PRIMARY KEY,
        received_at_ms INTEGER NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('mqtt', 'http', 'email-link')),
        agency_id TEXT NOT NULL,
        alert_id TEXT,
        reason_code TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw BLOB NOT NULL
      );
      INSERT INTO refused_acks_v10 SELECT * FROM refused_acks;
      DROP TABLE refused_acks;
      ALTER TABLE refused_acks_v10 RENAME TO refused_acks;
      CREATE INDEX refused_acks_by_received_at ON refused_acks(received_at_ms);
    )sql"},
    // CancellationStore (issue 16): a claim of asylum or fear of return that
    // arrives while deliveries to the state the child may be fleeing are
    // still pending cancels them. A delivery gets the state 'cancelled' (the
    // CHECK of a column cannot be altered in SQLite: the table is rebuilt,
    // rows and ids kept), and each cancellation is a row of
    // delivery_cancellations with its reason and the event that caused it;
    // delivery_id is NULL where an open alert was closed so that nobody
    // escalates it for want of an ack.
    Migration{11, "cancelled deliveries and their reasons", R"sql(
      CREATE TABLE deliveries_v11 (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
        version INTEGER NOT NULL,
        agency_id TEXT NOT NULL,
        channel_index INTEGER NOT NULL CHECK (channel_index >= 0),
        channel_type TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'delivered', 'failed', 'dead', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        created_at_ms INTEGER NOT NULL,
        delivered_at_ms INTEGER,
        idempotency_key TEXT NOT NULL,
        escalated_from INTEGER REFERENCES deliveries_v11(id),
        UNIQUE (alert_id, version, agency_id, channel_index)
      );
      INSERT INTO deliveries_v11(id, alert_id, version, agency_id, channel_index, channel_type,
                                 target, state, attempts, next_attempt_at_ms, last_error,
                                 created_at_ms, delivered_at_ms, idempotency_key, escalated_from)
        SELECT id, alert_id, version, agency_id, channel_index, channel_type, target, state,
               attempts, next_attempt_at_ms, last_error, created_at_ms, delivered_at_ms,
               idempotency_key, escalated_from
        FROM deliveries ORDER BY id;
      DROP TABLE deliveries;
      ALTER TABLE deliveries_v11 RENAME TO deliveries;
      CREATE INDEX deliveries_due ON deliveries(next_attempt_at_ms, id) WHERE state = 'pending';
      CREATE TABLE delivery_cancellations (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER REFERENCES deliveries(id),
        alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
        agency_id TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        event_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      );
      CREATE INDEX delivery_cancellations_by_subject ON delivery_cancellations(subject_key);
    )sql"},
    // The audit hash chain (store/audit_log.h): one record per state change
    // that matters, each hashing the one before; audit_head keeps the newest
    // so that removing it is seen too. Retention (store/retention.h) purges
    // personal data and marks what it purged: the chain keeps content hashes.
    Migration{12, "the audit hash chain; retention marks", R"sql(
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      ALTER TABLE events ADD COLUMN purged_at_ms INTEGER;
      ALTER TABLE dead_letters ADD COLUMN purged_at_ms INTEGER;
      ALTER TABLE refused_acks ADD COLUMN purged_at_ms INTEGER;
    )sql"},
    // Case linking (store/case_links.h, issue 16 item 1): every subject key
    // (keyed hash of a pseudonym) that an event linked to a case, mapped to
    // the case's canonical key. A key without a row is its own case. Rows
    // always point at a canonical key (a merge repoints them), so a lookup
    // is one index read and a cycle of links cannot form.
    Migration{13, "case links: pseudonyms of one child across authorities", R"sql(
      CREATE TABLE case_aliases (
        subject_key TEXT PRIMARY KEY,
        case_key TEXT NOT NULL,
        event_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        CHECK (subject_key != case_key)
      );
      CREATE INDEX case_aliases_by_case ON case_aliases(case_key);
    )sql"},
    // The dispatcher's outbox read (issue 11): each endpoint's pending rows
    // in due order, so that the rows of an endpoint that is full (a webhook
    // that never answers, with a backlog of thousands) are never stepped
    // over to reach the others. deliveries_due stays for NextDueAfter.
    Migration{14, "the outbox read one endpoint at a time", R"sql(
      CREATE INDEX deliveries_by_endpoint
        ON deliveries(channel_type, target, next_attempt_at_ms, id) WHERE state = 'pending';
    )sql"},
    // A delivery's cancellation, found by the delivery: the withheld list of
    // a duty officer's payload joins on it (without the index SQLite built a
    // temporary index over every cancellation at each such payload).
    Migration{15, "cancellations by delivery", R"sql(
      CREATE INDEX delivery_cancellations_by_delivery ON delivery_cancellations(delivery_id);
    )sql"},
};

constexpr bool NumberedWithoutGaps() {
  for (size_t i = 0; i < kMigrations.size(); ++i) {
    if (kMigrations[i].version != static_cast<int>(i) + 1) return false;
  }
  return true;
}
static_assert(NumberedWithoutGaps(), "migrations must be numbered 1, 2, 3, ... in order");

constexpr std::string_view kCreateVersionTable = R"sql(
  CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )
)sql";

Status Annotate(const Status& status, const Migration& migration) {
  return {status.code(), "migration " + std::to_string(migration.version) + " (" +
                             std::string(migration.description) + "): " + status.message()};
}

Result<bool> HasVersionTable(Database& db) {
  Result<Statement> stmt = db.Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row && stmt->ColumnInt64(0) > 0;
}

Status RecordVersion(Database& db, const Migration& migration) {
  Result<Statement> insert =
      db.Prepare("INSERT INTO schema_version(version, description) VALUES (?, ?)");
  if (!insert.ok()) return insert.status();
  Status status = insert->BindInt64(1, migration.version);
  if (status.ok()) status = insert->BindText(2, migration.description);
  if (status.ok()) status = insert->Run();
  return status;
}

// Applies `migration` unless another connection already did, in one transaction.
Status Apply(Database& db, const Migration& migration) {
  Result<Transaction> tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  Result<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current >= migration.version) return Status::OK();
  Status status = db.Execute(migration.sql);
  if (status.ok()) status = RecordVersion(db, migration);
  if (status.ok()) status = tx->Commit();
  return status;
}

Status CheckNotNewer(Database& db) {
  Result<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current <= LatestSchemaVersion()) return Status::OK();
  return Status::FailedPrecondition("database " + db.path() + " has schema version " +
                                    std::to_string(*current) + ", newer than the " +
                                    std::to_string(LatestSchemaVersion()) +
                                    " this build knows; run a newer amparod");
}

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Result<int> SchemaVersion(Database& db) {
  Result<bool> has_table = HasVersionTable(db);
  if (!has_table.ok()) return has_table.status();
  if (!*has_table) return 0;
  Result<Statement> stmt = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(stmt->ColumnInt64(0));
}

Status RunMigrations(Database& db) { return RunMigrations(db, LatestSchemaVersion()); }

Status RunMigrations(Database& db, int up_to_version) {
  if (up_to_version < 0 || up_to_version > LatestSchemaVersion()) {
    return Status::InvalidArgument("unknown schema version " + std::to_string(up_to_version));
  }
  Status status = db.Execute(kCreateVersionTable);
  if (status.ok()) status = CheckNotNewer(db);
  for (const Migration& migration : kMigrations) {
    if (!status.ok() || migration.version > up_to_version) break;
    status = Apply(db, migration);
    if (!status.ok()) return Annotate(status, migration);
  }
  return status;
}

}  // namespace amparo
