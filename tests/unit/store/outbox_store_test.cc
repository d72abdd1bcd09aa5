#include "daemon/store/outbox_store.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;
using testing::MakeAlert;
using testing::MakeCommit;

// Commits event `event_id` at `now` with one alert to each agency; returns the delivery ids.
std::vector<int64_t> Commit(testing::StoreFixture& f, const std::string& event_id, Instant now,
                            const std::vector<std::string>& agencies) {
  ProcessingCommit commit = MakeCommit(f.AddEvent(event_id), event_id, now);
  for (const std::string& agency : agencies) {
    commit.alerts.push_back(MakeAlert("rule-a", agency, event_id));
  }
  Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  std::vector<int64_t> ids;
  for (const CommittedAlert& alert : outcome->alerts) ids.push_back(alert.delivery_id);
  return ids;
}

// Commits event `event_id` at `now` with one alert to `agency`, whose primary
// channel is `channel`; returns its delivery id.
int64_t CommitTo(testing::StoreFixture& f, const std::string& event_id, Instant now,
                 const std::string& agency, const ChannelTarget& channel) {
  ProcessingCommit commit = MakeCommit(f.AddEvent(event_id), event_id, now);
  AlertChange alert = MakeAlert("rule-a", agency, event_id);
  alert.channels = {channel};
  commit.alerts.push_back(alert);
  Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  return outcome->alerts.at(0).delivery_id;
}

std::vector<int64_t> Ids(const std::vector<Delivery>& rows) {
  std::vector<int64_t> ids;
  for (const Delivery& row : rows) ids.push_back(row.id);
  return ids;
}

TEST_CASE("DueDeliveries returns pending rows due by now, earliest first, within the limit") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const int64_t late = Commit(f, "ev-1", At(3000), {"a"})[0];
  const int64_t early = Commit(f, "ev-2", At(1000), {"b"})[0];
  const std::vector<int64_t> same = Commit(f, "ev-3", At(2000), {"c", "d"});

  CHECK(Ids(outbox.DueDeliveries(At(999), 10, 10).value()).empty());
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10).value()) ==
        std::vector<int64_t>{early, same[0], same[1]});
  CHECK(Ids(outbox.DueDeliveries(At(5000), 2, 10).value()) == std::vector<int64_t>{early, same[0]});
  CHECK(Ids(outbox.DueDeliveries(At(5000), 10, 10).value()).back() == late);
  CHECK(outbox.DueDeliveries(At(5000), 0, 10).status().code() == Status::Code::kInvalidArgument);

  REQUIRE(outbox.MarkDelivered(early, At(1500)).ok());
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10).value()) ==
        std::vector<int64_t>{same[0], same[1]});
}

TEST_CASE("DueDeliveries reads past the channel types and endpoints it is told to skip") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  ProcessingCommit commit = MakeCommit(f.AddEvent("ev-1"), "ev-1", At(1000));
  const std::vector<ChannelTarget> channels = {{"webhook", "https://hung.example/a"},
                                               {"webhook", "https://w.example/a"},
                                               {"mqtt", "rcm/v1/alerts/x"},
                                               {"mqtt", ""}};
  for (size_t i = 0; i < channels.size(); ++i) {
    AlertChange alert = MakeAlert("rule-a", "agency-" + std::to_string(i), "ev-1");
    alert.channels = {channels[i]};
    commit.alerts.push_back(alert);
  }
  Result<CommitOutcome> outcome = f.store().CommitProcessing(commit);
  REQUIRE(outcome.ok());
  std::vector<int64_t> id;
  for (const CommittedAlert& alert : outcome->alerts) id.push_back(alert.delivery_id);

  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10).value()) == id);
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10, {.channel_types = {"webhook"}}).value()) ==
        std::vector<int64_t>{id[2], id[3]});
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10, {.targets = {channels[0], channels[3]}})
                .value()) == std::vector<int64_t>{id[1], id[2]});
  // The limit counts the rows returned, not the rows skipped.
  CHECK(
      Ids(outbox.DueDeliveries(At(2000), 1, 10, {.channel_types = {"webhook", "file"}}).value()) ==
      std::vector<int64_t>{id[2]});
  // A target that only looks like another (same text, other type) is not skipped.
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10, {.targets = {{"mqtt", "https://w.example/a"}}})
                .value()) == id);
}

TEST_CASE("DueDeliveries takes at most per_endpoint rows of each endpoint, merged in due order") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  // Endpoint "a" (a backlog of four) and "b" (two), interleaved in time; "c"
  // has one row, due later than everything else. "b" and "c" share a channel
  // type, not a target.
  const ChannelTarget to_a{"webhook", "https://a.example/alerts"};
  const ChannelTarget to_b{"mqtt", "rcm/v1/alerts/b"};
  const ChannelTarget to_c{"mqtt", "rcm/v1/alerts/c"};
  std::vector<int64_t> a;
  std::vector<int64_t> b;
  a.push_back(CommitTo(f, "ev-1", At(1000), "agency-a", to_a));
  b.push_back(CommitTo(f, "ev-2", At(1100), "agency-b", to_b));
  a.push_back(CommitTo(f, "ev-3", At(1200), "agency-a", to_a));
  a.push_back(CommitTo(f, "ev-4", At(1300), "agency-a", to_a));
  b.push_back(CommitTo(f, "ev-5", At(1400), "agency-b", to_b));
  a.push_back(CommitTo(f, "ev-6", At(1500), "agency-a", to_a));
  const int64_t c = CommitTo(f, "ev-7", At(1600), "agency-c", to_c);

  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 10).value()) ==
        std::vector<int64_t>{a[0], b[0], a[1], a[2], b[1], a[3], c});
  // Two of each endpoint; a's later rows are not read.
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 2).value()) ==
        std::vector<int64_t>{a[0], b[0], a[1], b[1], c});
  // The overall limit keeps the earliest of the merged rows.
  CHECK(Ids(outbox.DueDeliveries(At(2000), 3, 2).value()) ==
        std::vector<int64_t>{a[0], b[0], a[1]});
  // Due-ness is per endpoint too: by 1250, "b" has one row due and "c" none.
  CHECK(Ids(outbox.DueDeliveries(At(1250), 10, 1).value()) == std::vector<int64_t>{a[0], b[0]});
  // A retried row moves to its new place in its endpoint's order.
  REQUIRE(outbox.MarkAttemptFailed(a[0], "down", At(1700)).ok());
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 1).value()) == std::vector<int64_t>{b[0], a[1], c});
  // Rows that are no longer pending are not read.
  REQUIRE(outbox.MarkDelivered(b[0], At(1800)).ok());
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 1).value()) == std::vector<int64_t>{a[1], b[1], c});
  // A skipped endpoint's rows are left out; the others are read as before.
  CHECK(Ids(outbox.DueDeliveries(At(2000), 10, 2, {.targets = {to_a}}).value()) ==
        std::vector<int64_t>{b[1], c});
  CHECK(outbox.DueDeliveries(At(2000), 10, 0).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("DueDeliveries reads one endpoint at a time through deliveries_by_endpoint") {
  testing::StoreFixture f;
  const std::string scan = testing::QueryPlan(f.db(), OutboxStore::NextEndpointSql());
  INFO(scan);
  // Two seeks past the last endpoint's rows (the next target of its type, the
  // next type), neither a scan nor a row-value range that steps through them.
  CHECK(scan.find("USING INDEX deliveries_by_endpoint (channel_type=? AND target>?)") !=
        std::string::npos);
  CHECK(scan.find("USING INDEX deliveries_by_endpoint (channel_type>?)") != std::string::npos);
  CHECK(scan.find("(channel_type,target)>") == std::string::npos);
  CHECK(scan.find("SCAN deliveries") == std::string::npos);
  CHECK(scan.find("TEMP B-TREE") == std::string::npos);
  const std::string read = testing::QueryPlan(f.db(), OutboxStore::DueForEndpointSql());
  INFO(read);
  CHECK(read.find("USING INDEX deliveries_by_endpoint (channel_type=? AND target=? AND "
                  "next_attempt_at_ms<?)") != std::string::npos);
  CHECK(read.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("NextDueAfter is the earliest pending attempt strictly later than the instant") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  CHECK_FALSE(outbox.NextDueAfter(At(0)).value().has_value());
  const int64_t a = Commit(f, "ev-1", At(1000), {"a"})[0];
  Commit(f, "ev-2", At(4000), {"b"});
  CHECK(outbox.NextDueAfter(At(0)).value() == At(1000));
  CHECK(outbox.NextDueAfter(At(1000)).value() == At(4000));
  REQUIRE(outbox.MarkAttemptFailed(a, "down", At(2500)).ok());
  CHECK(outbox.NextDueAfter(At(1000)).value() == At(2500));
  CHECK_FALSE(outbox.NextDueAfter(At(4000)).value().has_value());
}

TEST_CASE("MarkAttemptFailed counts the attempt and reschedules, MarkDelivered closes the row") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const int64_t id = Commit(f, "ev-1", At(1000), {"a"})[0];
  REQUIRE(outbox.MarkAttemptFailed(id, "timeout", At(3000)).ok());
  REQUIRE(outbox.MarkAttemptFailed(id, "refused", At(7000)).ok());
  Delivery row = outbox.Get(id).value();
  CHECK(row.attempts == 2);
  CHECK(row.last_error == "refused");
  CHECK(row.next_attempt_at == At(7000));
  CHECK(outbox.PendingCount().value() == 1);

  REQUIRE(outbox.MarkDelivered(id, At(7100)).ok());
  row = outbox.Get(id).value();
  CHECK(row.state == DeliveryState::kDelivered);
  CHECK(row.delivered_at == At(7100));
  CHECK(outbox.PendingCount().value() == 0);
  // Only pending rows move.
  CHECK(outbox.MarkDelivered(id, At(8000)).code() == Status::Code::kNotFound);
  CHECK(outbox.MarkAttemptFailed(id, "x", At(8000)).code() == Status::Code::kNotFound);
  CHECK(outbox.Get(999).status().code() == Status::Code::kNotFound);
}

TEST_CASE("MarkAllDelivered marks a round of rows, each at its own instant") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const std::vector<int64_t> ids = Commit(f, "ev-1", At(1000), {"a", "b", "c"});
  CHECK(outbox.MarkAllDelivered({}).value().empty());
  CHECK(outbox.PendingCount().value() == 3);

  Result<std::vector<int64_t>> not_pending =
      outbox.MarkAllDelivered({{ids[0], At(1100)}, {ids[2], At(1300)}});
  REQUIRE(not_pending.ok());
  CHECK(not_pending->empty());
  CHECK(outbox.Get(ids[0]).value().state == DeliveryState::kDelivered);
  CHECK(outbox.Get(ids[0]).value().delivered_at == At(1100));
  CHECK(outbox.Get(ids[2]).value().delivered_at == At(1300));
  CHECK(outbox.Get(ids[1]).value().state == DeliveryState::kPending);
  CHECK(outbox.PendingCount().value() == 1);
}

TEST_CASE("MarkAllDelivered names the rows that were not pending and marks the others") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const std::vector<int64_t> ids = Commit(f, "ev-1", At(1000), {"a", "b"});
  REQUIRE(outbox.MarkDelivered(ids[0], At(1100)).ok());

  Result<std::vector<int64_t>> not_pending =
      outbox.MarkAllDelivered({{ids[0], At(2000)}, {999, At(2000)}, {ids[1], At(2000)}});
  REQUIRE(not_pending.ok());
  CHECK(*not_pending == std::vector<int64_t>{ids[0], 999});
  // The row delivered before keeps its first instant; the pending one moved.
  CHECK(outbox.Get(ids[0]).value().delivered_at == At(1100));
  CHECK(outbox.Get(ids[1]).value().state == DeliveryState::kDelivered);
  CHECK(outbox.Get(ids[1]).value().delivered_at == At(2000));
  CHECK(outbox.PendingCount().value() == 0);
}

TEST_CASE("FailOver marks the row failed and adds the next channel's row in one step") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const int64_t id = Commit(f, "ev-1", At(1000), {"a"})[0];
  REQUIRE(outbox.MarkAttemptFailed(id, "timeout", At(2000)).ok());

  Result<FailOverResult> result =
      outbox.FailOver(id, "refused", ChannelTarget{"file", "/var/x.jsonl"}, At(3000));
  REQUIRE(result.ok());
  CHECK_FALSE(result->dead);
  REQUIRE(result->next_delivery_id.has_value());

  Delivery failed = outbox.Get(id).value();
  CHECK(failed.state == DeliveryState::kFailed);
  CHECK(failed.attempts == 2);
  CHECK(failed.last_error == "refused");
  Delivery next = outbox.Get(*result->next_delivery_id).value();
  CHECK(next.state == DeliveryState::kPending);
  CHECK(next.channel_index == 1);
  CHECK(next.channel == ChannelTarget{"file", "/var/x.jsonl"});
  CHECK(next.attempts == 0);
  CHECK(next.next_attempt_at == At(3000));
  CHECK(next.alert_id == failed.alert_id);
  CHECK(next.agency_id == failed.agency_id);
  CHECK(next.idempotency_key == failed.idempotency_key);
  CHECK(outbox.FailOver(id, "again", std::nullopt, At(4000)).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE("FailOver without a next channel leaves the row dead, Escalate adds one row, once") {
  testing::StoreFixture f;
  OutboxStore& outbox = f.store().outbox();
  const int64_t id = Commit(f, "ev-1", At(1000), {"a"})[0];
  CHECK(outbox.Escalate(id, "ombudsman", {"mqtt", ""}, At(2000)).status().code() ==
        Status::Code::kFailedPrecondition);

  Result<FailOverResult> result = outbox.FailOver(id, "refused", std::nullopt, At(2000));
  REQUIRE(result.ok());
  CHECK(result->dead);
  CHECK_FALSE(result->next_delivery_id.has_value());
  CHECK(outbox.Get(id)->state == DeliveryState::kDead);

  Result<std::optional<int64_t>> escalation =
      outbox.Escalate(id, "ombudsman", {"mqtt", "rcm/v1/alerts/ombudsman"}, At(2500));
  REQUIRE(escalation.ok());
  REQUIRE(escalation->has_value());
  Delivery row = outbox.Get(**escalation).value();
  CHECK(row.agency_id == "ombudsman");
  CHECK(row.channel_index == 0);
  CHECK(row.channel.target == "rcm/v1/alerts/ombudsman");
  CHECK(row.escalated_from == id);
  CHECK(row.state == DeliveryState::kPending);
  CHECK(row.idempotency_key == outbox.Get(id)->idempotency_key);

  // The same agency never gets the same alert version twice: escalation cannot loop.
  CHECK_FALSE(outbox.Escalate(id, "ombudsman", {"mqtt", ""}, At(2600)).value().has_value());

  DeliveryCounts counts = outbox.Counts().value();
  CHECK(counts.pending == 1);
  CHECK(counts.dead == 1);
  CHECK(counts.delivered == 0);
  CHECK(counts.failed == 0);
}

}  // namespace
}  // namespace amparo
