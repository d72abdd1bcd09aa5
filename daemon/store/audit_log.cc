#include "daemon/store/audit_log.h"

#include <array>

#include <openssl/evp.h>

#include "daemon/core/hex.h"

namespace amparo {
namespace {

int64_t ToMillis(Instant t) { return t.time_since_epoch().count(); }

constexpr std::string_view kHead = "SELECT seq, hash FROM audit_head WHERE id = 1";
constexpr std::string_view kInsert = R"sql(
  INSERT INTO audit(seq, at_ms, kind, ref, detail, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?))sql";
constexpr std::string_view kSetHead = R"sql(
  INSERT INTO audit_head(id, seq, hash) VALUES (1, ?, ?)
  ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash)sql";
constexpr std::string_view kAll = R"sql(
  SELECT seq, at_ms, kind, ref, detail, prev_hash, hash FROM audit ORDER BY seq)sql";

}  // namespace

std::string AuditDetail(const nlohmann::json& detail) {
  return detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return std::string();  // never in practice; an empty hash never verifies
  }
  return LowerHex(std::span<const unsigned char>(digest.data(), length));
}

std::string AuditRecordHash(std::string_view prev_hash, int64_t seq, int64_t at_ms,
                            std::string_view kind, std::string_view ref, std::string_view detail) {
  // The numbers live here, not as temporaries in the list below (a view of a
  // temporary would dangle before the loop reads it).
  const std::string seq_text = std::to_string(seq);
  const std::string at_text = std::to_string(at_ms);
  std::string text;
  for (std::string_view field :
       {prev_hash, std::string_view(seq_text), std::string_view(at_text), kind, ref, detail}) {
    text.append(field);
    text.push_back('\0');
  }
  return Sha256Hex(text);
}

struct AuditLog::Statements {
  Statement head;
  Statement insert;
  Statement set_head;
};

AuditLog::AuditLog(Database& db, std::unique_ptr<Statements> statements)
    : db_(db), statements_(std::move(statements)) {}

AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::Create(Database& db) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(
      Statements{.head = p(kHead), .insert = p(kInsert), .set_head = p(kSetHead)});
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<AuditLog>(new AuditLog(db, std::move(statements)));
}

Status AuditLog::Append(std::string_view kind, std::string_view ref, std::string_view detail,
                        Instant at) {
  int64_t seq = 1;
  std::string prev(kAuditGenesis);
  {
    Statement& head = statements_->head;
    ScopedReset reset(head);
    Result<bool> row = head.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      seq = head.ColumnInt64(0) + 1;
      prev = head.ColumnText(1);
    }
  }
  const int64_t at_ms = ToMillis(at);
  const std::string hash = AuditRecordHash(prev, seq, at_ms, kind, ref, detail);
  {
    Statement& insert = statements_->insert;
    ScopedReset reset(insert);
    Status s =
        insert.Bind(seq, at_ms, kind, ref, detail, std::string_view(prev), std::string_view(hash));
    if (s.ok()) s = insert.Run();
    if (!s.ok()) return s;
  }
  Statement& set_head = statements_->set_head;
  ScopedReset reset(set_head);
  Status s = set_head.Bind(seq, std::string_view(hash));
  return s.ok() ? set_head.Run() : s;
}

Result<AuditVerification> VerifyAuditChain(Database& db) {
  AuditVerification v;
  Result<Statement> all = db.Prepare(kAll);
  if (!all.ok()) return all.status();
  int64_t expected_seq = 1;
  std::string prev(kAuditGenesis);
  auto broken = [&v](int64_t seq, std::string problem) {
    v.broken_seq = seq;
    v.problem = std::move(problem);
    return v;
  };
  for (;;) {
    Result<bool> row = all->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t seq = all->ColumnInt64(0);
    const int64_t at_ms = all->ColumnInt64(1);
    const std::string kind = all->ColumnText(2);
    const std::string ref = all->ColumnText(3);
    const std::string detail = all->ColumnText(4);
    const std::string prev_hash = all->ColumnText(5);
    const std::string hash = all->ColumnText(6);
    ++v.records;
    if (seq != expected_seq) {
      return broken(seq, "expected seq " + std::to_string(expected_seq) + ": " +
                             std::to_string(seq - expected_seq) +
                             " record(s) before this one are missing");
    }
    if (prev_hash != prev) {
      return broken(seq, "prev_hash is not the hash of record " + std::to_string(seq - 1) +
                             ": a record was changed, removed or moved before this one");
    }
    if (AuditRecordHash(prev_hash, seq, at_ms, kind, ref, detail) != hash) {
      return broken(seq, "hash does not match the record's content: the record was changed");
    }
    prev = hash;
    ++expected_seq;
  }
  Result<Statement> head = db.Prepare(kHead);
  if (!head.ok()) return head.status();
  Result<bool> row = head->Step();
  if (!row.ok()) return row.status();
  const int64_t last = expected_seq - 1;
  if (*row) {
    const int64_t head_seq = head->ColumnInt64(0);
    if (head_seq != last) {
      return broken(last + 1, "the chain's head is record " + std::to_string(head_seq) +
                                  " but the table ends at " + std::to_string(last) +
                                  ": the newest records are missing");
    }
    if (head->ColumnText(1) != prev) {
      return broken(last, "hash is not the chain head's: the newest record was replaced");
    }
  } else if (last > 0) {
    return broken(last, "the chain's head is missing");
  }
  v.head_hash = prev;
  return v;
}

}  // namespace amparo
