#include "daemon/store/case_store.h"

#include <utility>

#include "daemon/store/rows.h"

namespace amparo {
namespace {

constexpr std::string_view kLoadCase = R"sql(
  SELECT first_custody_at_ms, events, status, flags, alerted_roles, tvpra_screening,
         restitution_plan, custody_since_ms, born_not_before_ms, born_not_after_ms
  FROM cases WHERE subject_key = ?1)sql";
// The canonical case of a subject key (store/case_links.h): itself unless linked.
constexpr std::string_view kCaseKeyOf = R"sql(
  SELECT COALESCE((SELECT case_key FROM case_aliases WHERE subject_key = ?1), ?1))sql";
constexpr std::string_view kWriteCase = R"sql(
  INSERT INTO cases(subject_key, first_custody_at_ms, last_event_at_ms, events, status, flags,
                    alerted_roles, country, admin1, facility_type, updated_at_ms,
                    tvpra_screening, restitution_plan, custody_since_ms, born_not_before_ms,
                    born_not_after_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(subject_key) DO UPDATE SET
    first_custody_at_ms = excluded.first_custody_at_ms,
    last_event_at_ms = excluded.last_event_at_ms,
    events = excluded.events,
    status = excluded.status,
    flags = excluded.flags,
    alerted_roles = excluded.alerted_roles,
    country = excluded.country,
    admin1 = excluded.admin1,
    facility_type = excluded.facility_type,
    updated_at_ms = excluded.updated_at_ms,
    tvpra_screening = excluded.tvpra_screening,
    restitution_plan = excluded.restitution_plan,
    custody_since_ms = excluded.custody_since_ms,
    born_not_before_ms = excluded.born_not_before_ms,
    born_not_after_ms = excluded.born_not_after_ms)sql";

// A day as the instant of its UTC midnight, and back.
std::optional<Instant> Midnight(const std::optional<date::sys_days>& day) {
  if (!day) return std::nullopt;
  return Instant(*day);
}
std::optional<date::sys_days> Day(const std::optional<Instant>& t) {
  if (!t) return std::nullopt;
  return date::floor<date::days>(*t);
}

std::string FlagsJson(const std::vector<SubjectFlag>& flags) {
  std::vector<std::string> names;
  names.reserve(flags.size());
  for (SubjectFlag flag : flags) names.emplace_back(ToString(flag));
  return rows::ToJsonArray(names);
}

Result<std::vector<SubjectFlag>> ParseFlags(std::string_view json) {
  Result<std::vector<std::string>> names = rows::FromJsonArray(json, "cases.flags");
  if (!names.ok()) return names.status();
  std::vector<SubjectFlag> flags;
  for (const std::string& name : *names) {
    std::optional<SubjectFlag> flag = FromString<SubjectFlag>(name);
    if (!flag) return Status::Corruption("cases.flags holds unknown flag '" + name + "'");
    flags.push_back(*flag);
  }
  return flags;
}

}  // namespace

// The store's prepared statements, compiled once at Create().
struct CaseStore::Statements {
  Statement case_key_of;
  Statement load_case;
  Statement write_case;
};

CaseStore::CaseStore(std::unique_ptr<Statements> statements) : statements_(std::move(statements)) {}

CaseStore::~CaseStore() = default;

Result<std::unique_ptr<CaseStore>> CaseStore::Create(Database& db) {
  Preparer p(db);
  auto statements = std::make_unique<Statements>(Statements{
      .case_key_of = p(kCaseKeyOf), .load_case = p(kLoadCase), .write_case = p(kWriteCase)});
  if (!p.status().ok()) return p.status();
  return std::unique_ptr<CaseStore>(new CaseStore(std::move(statements)));
}

Result<CaseSnapshot> CaseStore::LoadCase(std::string_view subject_key) {
  std::string case_key;
  {
    Statement& resolve = statements_->case_key_of;
    ScopedReset reset(resolve);
    if (Status s = resolve.Bind(subject_key); !s.ok()) return s;
    Result<bool> row = resolve.Step();
    if (!row.ok()) return row.status();
    case_key = *row ? resolve.ColumnText(0) : std::string(subject_key);
  }
  Statement& query = statements_->load_case;
  ScopedReset reset(query);
  Status status = query.Bind(std::string_view(case_key));
  if (!status.ok()) return status;
  Result<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return CaseSnapshot{.key = std::move(case_key)};
  Result<std::vector<SubjectFlag>> flags = ParseFlags(query.ColumnText(3));
  if (!flags.ok()) return flags.status();
  Result<std::vector<std::string>> roles =
      rows::FromJsonArray(query.ColumnText(4), "cases.alerted_roles");
  if (!roles.ok()) return roles.status();
  std::optional<ScreeningOutcome> screening;
  if (const std::string name = query.ColumnText(5); !name.empty()) {
    screening = FromString<ScreeningOutcome>(name);
    if (!screening) return Status::Corruption("cases.tvpra_screening holds unknown '" + name + "'");
  }
  return CaseSnapshot{.key = std::move(case_key),
                      .first_custody_at = rows::OptionalInstant(query, 0),
                      .custody_since = rows::OptionalInstant(query, 7),
                      .events = static_cast<int>(query.ColumnInt64(1)),
                      .status = query.ColumnText(2),
                      .flags = std::move(flags).value(),
                      .alerted_roles = std::move(roles).value(),
                      .tvpra_screening = screening,
                      .restitution_plan = query.ColumnInt64(6) != 0,
                      .born_not_before = Day(rows::OptionalInstant(query, 8)),
                      .born_not_after = Day(rows::OptionalInstant(query, 9))};
}

Status CaseStore::WriteCase(const CaseRecord& record, Instant now) {
  if (record.subject_key.empty()) return Status::InvalidArgument("case subject_key is empty");
  Statement& write = statements_->write_case;
  ScopedReset reset(write);
  const CaseSnapshot& c = record.state;
  const std::string screening =
      c.tvpra_screening ? std::string(ToString(*c.tvpra_screening)) : std::string();
  Status status =
      rows::Bind(write, record.subject_key, c.first_custody_at, record.last_event_at, c.events,
                 c.status, FlagsJson(c.flags), rows::ToJsonArray(c.alerted_roles), record.country,
                 record.admin1, record.facility_type, now, screening, c.restitution_plan,
                 c.custody_since, Midnight(c.born_not_before), Midnight(c.born_not_after));
  return status.ok() ? write.Run() : status;
}

}  // namespace amparo
