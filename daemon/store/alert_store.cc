#include "daemon/store/alert_store.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "daemon/core/hex.h"
#include "daemon/core/json_writer.h"
#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kColumns = R"sql(
  alert_id, rule_id, subject_key, agency_id, role, opening_event_id, last_event_id, severity,
  state, version, deadline_ms, escalates_to, created_at_ms, updated_at_ms, about, escalated_from)sql";

std::string FindOpenSql() {
  return "SELECT " + std::string(kColumns) +
         " FROM alerts WHERE rule_id = ? AND subject_key = ? AND agency_id = ? AND state = 'open'";
}
// What OpenOrUpdate needs of the open alert: its id and version, not the
// whole row (whose `about` would be parsed from JSON for nothing).
constexpr std::string_view kFindOpenVersion = R"sql(
  SELECT alert_id, version FROM alerts
  WHERE rule_id = ? AND subject_key = ? AND agency_id = ? AND state = 'open')sql";
std::string GetSql() {
  return "SELECT " + std::string(kColumns) + " FROM alerts WHERE alert_id = ?";
}
constexpr std::string_view kInsert = R"sql(
  INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, opening_event_id,
                     last_event_id, severity, version, deadline_ms, escalates_to, created_at_ms,
                     updated_at_ms, about)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?11, ?12))sql";
// Keeps the earlier of the stored and the new deadline.
constexpr std::string_view kUpdate = R"sql(
  UPDATE alerts SET version = version + 1, last_event_id = ?1, severity = ?2,
    deadline_ms = CASE WHEN deadline_ms IS NULL THEN ?3 WHEN ?3 IS NULL THEN deadline_ms
                       ELSE MIN(deadline_ms, ?3) END,
    escalates_to = ?4, about = ?5, updated_at_ms = ?6
  WHERE alert_id = ?7 AND state = 'open')sql";
constexpr std::string_view kRaisedBy = R"sql(
  SELECT alert_id FROM alerts
  WHERE subject_key = ? AND opening_event_id = ? AND json_extract(about, '$.kind') = 'rule'
  ORDER BY alert_id)sql";
constexpr std::string_view kInsertAck = R"sql(
  INSERT INTO acks(alert_id, agency_id, at_ms, by, note, via) VALUES (?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kAcknowledge = R"sql(
  UPDATE alerts SET state = 'acknowledged', updated_at_ms = ?
  WHERE alert_id = ? AND state = 'open')sql";

Result<AlertState> ParseAlertState(std::string_view text) {
  if (text == "open") return AlertState::kOpen;
  if (text == "acknowledged") return AlertState::kAcknowledged;
  if (text == "closed") return AlertState::kClosed;
  return Status::Corruption("unknown alert state '" + std::string(text) + "'");
}

// Columns in kColumns order.
Result<AlertRecord> ReadAlert(const Statement& row) {
  Result<AlertState> state = ParseAlertState(row.ColumnText(8));
  if (!state.ok()) return state.status();
  Result<AlertSubject> about = AlertSubjectFromJson(row.ColumnText(14));
  if (!about.ok()) return about.status();
  return AlertRecord{
      .alert_id = row.ColumnText(0),
      .rule_id = row.ColumnText(1),
      .subject_key = row.ColumnText(2),
      .agency_id = row.ColumnText(3),
      .role = row.ColumnText(4),
      .opening_event_id = row.ColumnText(5),
      .last_event_id = row.ColumnText(6),
      .severity = row.ColumnText(7),
      .state = *state,
      .version = static_cast<int>(row.ColumnInt64(9)),
      .deadline = rows::OptionalInstant(row, 10),
      .escalates_to = row.ColumnIsNull(11) ? std::nullopt : std::optional(row.ColumnText(11)),
      .created_at = rows::FromMillis(row.ColumnInt64(12)),
      .updated_at = rows::FromMillis(row.ColumnInt64(13)),
      .about = std::move(about).value(),
      .escalated_from = row.ColumnIsNull(15) ? std::nullopt : std::optional(row.ColumnText(15))};
}

Status CheckChange(const AlertChange& change) {
  if (change.rule_id.empty()) return Status::InvalidArgument("alert rule_id is empty");
  if (change.agency_id.empty()) return Status::InvalidArgument("alert agency_id is empty");
  if (change.opening_event_id.empty()) {
    return Status::InvalidArgument("alert opening_event_id is empty");
  }
  return Status::OK();
}

}  // namespace

// Written straight into the text, members in key order: the bytes the
// nlohmann document it replaced wrote (core/json_writer.h).
std::string AlertSubjectToJson(const AlertSubject& about) {
  JsonWriter w;
  w.BeginObject();
  if (about.clock) {
    w.Key("clock").BeginObject();
    w.Key("due_at_ms").Int(rows::ToMillis(about.clock->due_at));
    w.Key("id").String(about.clock->clock_id);
    w.Key("originating_alerts").Strings(about.clock->originating_alerts);
    w.Key("started_at_ms").Int(rows::ToMillis(about.clock->started_at));
    w.EndObject();
  }
  w.Key("deadline_ms");
  if (about.deadline) {
    w.Int(rows::ToMillis(*about.deadline));
  } else {
    w.Null();
  }
  w.Key("kind").String(about.kind);
  w.Key("legal_basis").Strings(about.legal_basis);
  w.Key("rule").String(about.rule);
  w.Key("severity").String(SeverityName(about.severity));
  // LocalizedText is a std::map: its languages come in key order too.
  w.Key("summary").BeginObject();
  for (const auto& [language, words] : about.summary) w.Key(language).String(words);
  w.EndObject();
  w.Key("title").BeginObject();
  for (const auto& [language, words] : about.title) w.Key(language).String(words);
  w.EndObject();
  w.EndObject();
  return std::move(w).Take();
}

Result<AlertSubject> AlertSubjectFromJson(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto corrupt = [&](std::string_view why) {
    return Status::Corruption("alert about: " + std::string(why));
  };
  if (!j.is_object()) return corrupt("not a JSON object");
  AlertSubject about;
  try {
    about.kind = j.at("kind").get<std::string>();
    about.rule = j.at("rule").get<std::string>();
    std::optional<Severity> severity = ParseSeverity(j.at("severity").get<std::string>());
    if (!severity) return corrupt("unknown severity");
    about.severity = *severity;
    for (const auto& [language, words] : j.at("title").items()) {
      about.title[language] = words.get<std::string>();
    }
    for (const auto& [language, words] : j.at("summary").items()) {
      about.summary[language] = words.get<std::string>();
    }
    about.legal_basis = j.at("legal_basis").get<std::vector<std::string>>();
    if (const auto& ms = j.at("deadline_ms"); !ms.is_null()) {
      about.deadline = rows::FromMillis(ms.get<int64_t>());
    }
    // Alerts stored before migration 10's release name no clock.
    if (auto clock = j.find("clock"); clock != j.end()) {
      about.clock = ClockDeadline{
          .clock_id = clock->at("id").get<std::string>(),
          .started_at = rows::FromMillis(clock->at("started_at_ms").get<int64_t>()),
          .due_at = rows::FromMillis(clock->at("due_at_ms").get<int64_t>()),
          .originating_alerts = clock->at("originating_alerts").get<std::vector<std::string>>()};
    }
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  return about;
}

std::string DeriveAlertId(std::string_view rule_id, std::string_view subject_key,
                          std::string_view agency_id, std::string_view opening_event_id) {
  const std::array<std::string_view, 4> parts = {rule_id, subject_key, agency_id, opening_event_id};
  std::string input;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) input.push_back('\0');
    input.append(parts[i]);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return LowerHex(std::span(digest).first(16));
}

// The store's prepared statements, compiled once at Create().
struct AlertStore::Statements {
  Statement find_open;
  Statement find_open_version;
  Statement get;
  Statement insert;
  Statement update;
  Statement raised_by;
  Statement insert_ack;
  Statement acknowledge;
};

AlertStore::AlertStore(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

AlertStore::~AlertStore() = default;

Result<std::unique_ptr<AlertStore>> AlertStore::Create(Database& db) {
  Preparer p(db);
  auto statements =
      std::make_unique<Statements>(Statements{.find_open = p(FindOpenSql()),
                                              .find_open_version = p(kFindOpenVersion),
                                              .get = p(GetSql()),
                                              .insert = p(kInsert),
                                              .update = p(kUpdate),
                                              .raised_by = p(kRaisedBy),
                                              .insert_ack = p(kInsertAck),
                                              .acknowledge = p(kAcknowledge)});
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<AlertStore>(new AlertStore(db, std::move(statements)));
}

Result<AlertVersion> AlertStore::OpenOrUpdate(const AlertChange& change,
                                              std::string_view subject_key,
                                              std::string_view event_id, Instant now) {
  Status status = CheckChange(change);
  if (!status.ok()) return status;
  // One lookup of the open alert, by the alerts_one_open index.
  std::optional<std::pair<std::string, int>> open;
  {
    Statement& query = statements_->find_open_version;
    ScopedReset reset(query);
    status = rows::Bind(query, change.rule_id, subject_key, change.agency_id);
    if (!status.ok()) return status;
    Result<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (*row) open.emplace(query.ColumnText(0), static_cast<int>(query.ColumnInt64(1)));
  }
  const std::string_view severity = SeverityName(change.severity);
  if (open) {
    const auto& [open_id, open_version] = *open;
    Statement& update = statements_->update;
    ScopedReset reset(update);
    status = rows::Bind(update, event_id, severity, change.deadline, change.escalates_to,
                        AlertSubjectToJson(change.about), now, open_id);
    if (status.ok()) status = rows::RunOne(db_, update, "no open alert " + open_id);
    if (!status.ok()) return status;
    return AlertVersion{.alert_id = open_id, .version = open_version + 1};
  }
  std::string alert_id =
      DeriveAlertId(change.rule_id, subject_key, change.agency_id, change.opening_event_id);
  Statement& insert = statements_->insert;
  ScopedReset reset(insert);
  status = rows::Bind(insert, alert_id, change.rule_id, subject_key, change.agency_id, change.role,
                      change.opening_event_id, event_id, severity, change.deadline,
                      change.escalates_to, now, AlertSubjectToJson(change.about));
  if (status.ok()) status = insert.Run();
  if (!status.ok()) return status;
  return AlertVersion{.alert_id = std::move(alert_id), .version = 1, .opened = true};
}

Result<std::optional<AlertRecord>> AlertStore::FindOpen(std::string_view rule_id,
                                                        std::string_view subject_key,
                                                        std::string_view agency_id) {
  Statement& query = statements_->find_open;
  ScopedReset reset(query);
  Status status = rows::Bind(query, rule_id, subject_key, agency_id);
  if (!status.ok()) return status;
  Result<AlertRecord> alert = ReadOne(query);
  if (alert.ok()) return std::optional(std::move(alert).value());
  if (alert.status().code() == Status::Code::kNotFound) return std::optional<AlertRecord>();
  return alert.status();
}

Result<AlertRecord> AlertStore::Get(std::string_view alert_id) {
  Statement& query = statements_->get;
  ScopedReset reset(query);
  Status status = rows::Bind(query, alert_id);
  if (!status.ok()) return status;
  Result<AlertRecord> alert = ReadOne(query);
  if (alert.status().code() == Status::Code::kNotFound) {
    return Status::NotFound("no alert " + std::string(alert_id));
  }
  return alert;
}

Result<AlertRecord> AlertStore::ReadOne(Statement& query) {
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no such alert");
  return ReadAlert(query);
}

Status AlertStore::RecordAck(const Ack& ack) {
  Result<AlertRecord> alert = Get(ack.alert_id);
  if (!alert.ok()) return alert.status();
  Result<Transaction> tx = Transaction::Begin(db_);
  if (!tx.ok()) return tx.status();
  Statement& insert = statements_->insert_ack;
  ScopedReset reset_insert(insert);
  Status status =
      rows::Bind(insert, ack.alert_id, ack.agency_id, ack.at, ack.by, ack.note, ack.via);
  if (status.ok()) status = insert.Run();
  if (!status.ok()) return status;
  Statement& acknowledge = statements_->acknowledge;
  ScopedReset reset_acknowledge(acknowledge);
  status = rows::Bind(acknowledge, ack.at, ack.alert_id);
  if (status.ok()) status = acknowledge.Run();  // Already acknowledged or closed: ack kept.
  return status.ok() ? tx->Commit() : status;
}

Result<std::vector<std::string>> AlertStore::RaisedBy(std::string_view subject_key,
                                                      std::string_view event_id) {
  Statement& query = statements_->raised_by;
  ScopedReset reset(query);
  if (Status s = rows::Bind(query, subject_key, event_id); !s.ok()) return s;
  return rows::CollectRows<std::string>(
      query, [](const Statement& row) -> Result<std::string> { return row.ColumnText(0); });
}

}  // namespace amparo
