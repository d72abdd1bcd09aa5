// The processing path on a real SQLite file, with the SHIPPED rules
// (rules/*.yaml) and the sample directory (config/directory/*.yaml), a
// FakeClock and a real io_context: for the pipeline, clock watcher and alert
// builder tests. The files are read here, in the test; the code under test
// does no I/O of its own.
#ifndef AMPARO_TESTS_UNIT_DELIVERY_PIPELINE_FIXTURE_H_
#define AMPARO_TESTS_UNIT_DELIVERY_PIPELINE_FIXTURE_H_

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <date/date.h>
#include <nlohmann/json.hpp>

#include "daemon/core/clock.h"
#include "daemon/delivery/clock_watcher.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/delivery/payload_builder.h"
#include "daemon/delivery/pipeline.h"
#include "daemon/engine/param_def.h"
#include "daemon/engine/rule_set.h"
#include "daemon/event/event_codec.h"
#include "daemon/routing/directory.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {

inline constexpr const char* kDutyOfficer = "duty-officer";

// The *.yaml files directly in `dir` (not in sub-folders), sorted by name.
inline std::vector<std::pair<std::string, std::string>> ReadYamlFiles(
    const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.emplace_back(entry.path().string(), ReadFile(entry.path()));
    }
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  return files;
}

// The shipped rule set, rules/*.yaml, with the default engine options, plus
// `extra` sources (a deployment's own rule files) when given.
inline std::shared_ptr<const RuleSet> ShippedRules(const std::vector<RuleSource>& extra = {}) {
  std::vector<RuleSource> sources;
  for (auto& [path, text] : ReadYamlFiles(SourcePath("rules"))) sources.push_back({path, text});
  sources.insert(sources.end(), extra.begin(), extra.end());
  Diagnostics diags;
  auto rules = RuleSet::Load(sources, EngineOptions{}, &diags);
  INFO(diags.ToString());
  REQUIRE(rules.ok());
  return *rules;
}

// The shipped sample directory, config/directory/*.yaml.
inline std::shared_ptr<const Directory> ShippedDirectory() {
  std::vector<DirectorySource> sources;
  for (auto& [path, text] : ReadYamlFiles(SourcePath("config/directory"))) {
    sources.push_back({path, text});
  }
  Diagnostics diags;
  auto directory = Directory::Load(sources, &diags);
  INFO(diags.ToString());
  REQUIRE(directory.ok());
  REQUIRE((*directory)->Check(kDutyOfficer).ok());
  return *directory;
}

// A valid sample event, config/samples/<name>.
inline Event SampleEvent(const std::string& name) {
  const std::string text = ReadFile(SourcePath("config/samples/" + name));
  REQUIRE_FALSE(text.empty());
  Result<Event> event = DecodeEvent(text);
  INFO(name << ": " << event.status().ToString());
  REQUIRE(event.ok());
  return *event;
}

// 01-apprehension.json moved to a border post (not a migration station) and
// without unrelated adults: a GT unaccompanied 15-year-old apprehended by INM
// in MX-CHP.
inline Event GtChildAtBorderPost() {
  Event e = SampleEvent("01-apprehension.json");
  e.location.facility = Facility{"INM-CHP-CIUDAD-HIDALGO", FacilityType::kBorderPost};
  e.custody.reset();
  return e;
}

// 03-transfer.json turned into the apprehension: an HN unaccompanied
// 12-year-old apprehended by the Border Patrol in US-TX.
inline Event UsUnaccompaniedApprehension() {
  Event e = SampleEvent("03-transfer.json");
  e.event_id = "usbp-rgv-2026-031-00900";
  e.type = EventType::kApprehension;
  e.subject.accompaniment = Accompaniment::kUnaccompanied;
  e.transfer.reset();
  return e;
}

// The effective value of the rule-file parameter `name`.
inline Duration Param(const RuleSet& rules, const std::string& name) {
  const ParamDef* param = FindParam(rules.params(), name);
  REQUIRE(param != nullptr);
  REQUIRE(param->kind == ParamDef::Kind::kDuration);
  return param->duration;
}

// The clock definition `id` of `rules`.
inline const ClockDef& FindClock(const RuleSet& rules, const std::string& id) {
  auto it = std::find_if(rules.clocks().begin(), rules.clocks().end(),
                         [&](const ClockDef& c) { return c.id == id; });
  REQUIRE(it != rules.clocks().end());
  return *it;
}

// The rule definition `id` of `rules`.
inline const RuleDef& FindRule(const RuleSet& rules, const std::string& id) {
  auto it = std::find_if(rules.rules().begin(), rules.rules().end(),
                         [&](const RuleDef& r) { return r.id == id; });
  REQUIRE(it != rules.rules().end());
  return *it;
}

class PipelineFixture {
 public:
  explicit PipelineFixture(const std::vector<RuleSource>& extra_rules = {})
      : rules_(ShippedRules(extra_rules)),
        directory_(ShippedDirectory()),
        clock_(Instant(date::sys_days(date::year{2026} / 3 / 1))) {
    auto opened = EventStore::Open({.path = dir_.File("amparo.db")});
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    events_ = std::move(opened).value();
    auto created = ProcessingStore::Create(events_->db());
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    store_ = std::move(created).value();
    pipeline_ =
        std::make_unique<Pipeline>(io_, *events_, *store_, cache_, clock_, kDutyOfficer, Hasher());
    pipeline_->SetRuleSet(rules_);
    pipeline_->SetDirectory(directory_);
    watcher_ = std::make_unique<ClockWatcher>(io_, *events_, *store_, cache_, clock_, kDutyOfficer);
    watcher_->SetRuleSet(rules_);
    watcher_->SetDirectory(directory_);
    payloads_ = std::make_unique<PayloadBuilder>(*events_, *store_, cache_);
    payloads_->SetRuleSet(rules_);
    payloads_->SetDirectory(directory_);
  }

  ~PipelineFixture() {
    pipeline_->Stop();
    watcher_->Stop();
    io_.poll();
  }

  // Stores `event` as the ingest path would: its canonical body, pending,
  // received now. The subject key is Hasher()'s hash of subject.id.
  void Store(const Event& event) { StoreBody(event, EncodeEvent(event)); }

  // Stores `event`'s metadata with `body` as the stored bytes.
  void StoreBody(const Event& event, const std::string& body) {
    const std::string subject_key = SubjectKey(event);
    const std::string topic =
        "rcm/v1/events/" + event.authority.country + "/" + event.authority.agency;
    IncomingEvent incoming{.event_id = event.event_id,
                           .topic = topic,
                           .type = ToString(event.type),
                           .subject_key = subject_key,
                           .body = body,
                           .occurred_at = event.occurred_at.utc,
                           .received_at = clock_.Now()};
    Result<IngestOutcome> outcome = events_->InsertEvent(incoming);
    INFO(outcome.status().ToString());
    REQUIRE(outcome.ok());
    REQUIRE(*outcome == IngestOutcome::kStored);
  }

  static std::string SubjectKey(const Event& event) { return SubjectKey(event.subject.id); }
  static std::string SubjectKey(const std::string& id) { return Hasher().Hash(id); }
  // The deployment key of the fixture: ingest's and the pipeline's.
  static const SubjectHasher& Hasher() {
    static const SubjectHasher hasher("pipeline-fixture-deployment-key-0123456789");
    return hasher;
  }

  // Runs ProcessPending and requires it to succeed; returns its count.
  int Process() {
    Result<int> done = pipeline_->ProcessPending(100);
    INFO(done.status().ToString());
    REQUIRE(done.ok());
    return *done;
  }

  // A new watcher that reads `batch` due clocks at a time.
  void SetWatcherBatch(int batch) {
    watcher_ =
        std::make_unique<ClockWatcher>(io_, *events_, *store_, cache_, clock_, kDutyOfficer, batch);
    watcher_->SetRuleSet(rules_);
    watcher_->SetDirectory(directory_);
  }

  // Runs FireDue and requires it to succeed; returns how many fired.
  int FireDue() {
    Result<int> fired = watcher_->FireDue();
    INFO(fired.status().ToString());
    REQUIRE(fired.ok());
    return *fired;
  }

  // SELECT COUNT(*) FROM <table_and_where>.
  int64_t Count(const std::string& table_and_where) {
    auto query = db().Prepare("SELECT COUNT(*) FROM " + table_and_where);
    INFO(query.status().ToString());
    REQUIRE(query.ok());
    REQUIRE(query->Step().value());
    return query->ColumnInt64(0);
  }

  // Column 0 of every row of `sql`, as text.
  std::vector<std::string> Texts(const std::string& sql) {
    auto query = db().Prepare(sql);
    INFO(sql << ": " << query.status().ToString());
    REQUIRE(query.ok());
    std::vector<std::string> out;
    while (true) {
      Result<bool> row = query->Step();
      REQUIRE(row.ok());
      if (!*row) break;
      out.push_back(query->ColumnIsNull(0) ? "<null>" : query->ColumnText(0));
    }
    return out;
  }

  // The same as a set.
  std::set<std::string> TextSet(const std::string& sql) {
    std::vector<std::string> v = Texts(sql);
    return {v.begin(), v.end()};
  }

  // The one value of `sql` (exactly one row).
  std::string Text(const std::string& sql) {
    std::vector<std::string> v = Texts(sql);
    INFO(sql);
    REQUIRE(v.size() == 1);
    return v.front();
  }

  // The payload the dispatcher would send now for outbox row `delivery_id`
  // (built at send time, as amparod builds it), parsed.
  nlohmann::json PayloadOfDelivery(int64_t delivery_id) {
    Result<Delivery> row = store_->outbox().Get(delivery_id);
    INFO(row.status().ToString());
    REQUIRE(row.ok());
    Result<std::string> payload = payloads_->Build(*row);
    INFO(payload.status().ToString());
    REQUIRE(payload.ok());
    nlohmann::json parsed = nlohmann::json::parse(*payload);
    // The text is written directly (core/json_writer.h), members in key
    // order: byte for byte what nlohmann::json writes for the same object,
    // as the payloads were before.
    CHECK(parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == *payload);
    return parsed;
  }

  // The payload of the latest version of alert `alert_id` to its own agency.
  nlohmann::json PayloadOfAlert(const std::string& alert_id) {
    return PayloadOfDelivery(
        std::stoll(Text("SELECT MAX(d.id) FROM deliveries d JOIN alerts a USING (alert_id) WHERE "
                        "a.alert_id = '" +
                        alert_id + "' AND d.agency_id = a.agency_id AND d.version = a.version")));
  }

  // The payloads of the alerts of `rule_id` (latest versions, by agency), parsed.
  std::vector<nlohmann::json> Payloads(const std::string& rule_id) {
    std::vector<nlohmann::json> out;
    for (const std::string& id : Texts("SELECT alert_id FROM alerts WHERE rule_id = '" + rule_id +
                                       "' ORDER BY agency_id")) {
      out.push_back(PayloadOfAlert(id));
    }
    return out;
  }

  const RuleSet& rules() const { return *rules_; }
  const Directory& directory() const { return *directory_; }
  FakeClock& clock() { return clock_; }
  boost::asio::io_context& io() { return io_; }
  EventStore& events() { return *events_; }
  ProcessingStore& store() { return *store_; }
  Database& db() { return events_->db(); }
  Pipeline& pipeline() { return *pipeline_; }
  ClockWatcher& watcher() { return *watcher_; }
  EventCache& cache() { return cache_; }
  PayloadBuilder& payloads() { return *payloads_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Directory> directory_;
  FakeClock clock_;
  boost::asio::io_context io_;
  TempDir dir_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<ProcessingStore> store_;
  EventCache cache_;
  std::unique_ptr<PayloadBuilder> payloads_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<ClockWatcher> watcher_;
};

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_DELIVERY_PIPELINE_FIXTURE_H_
