#include "daemon/store/case_store.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;

CaseRecord Record() {
  return CaseRecord{.subject_key = "subj",
                    .state = {.first_custody_at = At(1000),
                              .custody_since = At(2000),
                              .events = 2,
                              .status = "in_custody",
                              .flags = {SubjectFlag::kAsylumClaim, SubjectFlag::kPregnant},
                              .alerted_roles = {"consulate", "child_welfare"},
                              .tvpra_screening = ScreeningOutcome::kScreenedOut,
                              .restitution_plan = true,
                              .born_not_before = date::sys_days(date::year{2009} / 3 / 3),
                              .born_not_after = date::sys_days(date::year{2007} / 1 / 10)},
                    .last_event_at = At(3000),
                    .country = "MX",
                    .admin1 = "MX-CHP",
                    .facility_type = "migration_station"};
}

TEST_CASE("LoadCase of an unknown subject is an empty snapshot") {
  testing::StoreFixture f;
  Result<CaseSnapshot> snapshot = f.store().cases().LoadCase("nobody");
  REQUIRE(snapshot.ok());
  CHECK_FALSE(snapshot->first_custody_at.has_value());
  CHECK(snapshot->events == 0);
  CHECK(snapshot->status.empty());
  CHECK(snapshot->flags.empty());
  CHECK(snapshot->alerted_roles.empty());
}

TEST_CASE("WriteCase then LoadCase round-trips the snapshot and later writes replace it") {
  testing::StoreFixture f;
  CaseStore& cases = f.store().cases();
  REQUIRE(cases.WriteCase(Record(), At(4000)).ok());
  CaseSnapshot snapshot = cases.LoadCase("subj").value();
  CHECK(snapshot.first_custody_at == At(1000));
  CHECK(snapshot.events == 2);
  CHECK(snapshot.status == "in_custody");
  CHECK(snapshot.flags == std::vector{SubjectFlag::kAsylumClaim, SubjectFlag::kPregnant});
  CHECK(snapshot.alerted_roles == std::vector<std::string>{"consulate", "child_welfare"});
  CHECK(snapshot.tvpra_screening == ScreeningOutcome::kScreenedOut);
  CHECK(snapshot.restitution_plan);
  // The age evidence (subject.age_conflict across events) survives the store.
  CHECK(snapshot.born_not_before == date::sys_days(date::year{2009} / 3 / 3));
  CHECK(snapshot.born_not_after == date::sys_days(date::year{2007} / 1 / 10));
  CaseSnapshot expected = Record().state;
  expected.key = "subj";  // LoadCase names the case it read
  CHECK(snapshot == expected);
  CHECK(f.Count("cases WHERE country = 'MX' AND admin1 = 'MX-CHP' AND updated_at_ms = 4000") == 1);

  CaseRecord later = Record();
  later.state.first_custody_at.reset();
  later.state.custody_since.reset();
  later.state.events = 3;
  later.state.flags.clear();
  later.state.tvpra_screening.reset();
  later.state.restitution_plan = false;
  later.state.born_not_before.reset();
  later.state.born_not_after.reset();
  REQUIRE(cases.WriteCase(later, At(5000)).ok());
  snapshot = cases.LoadCase("subj").value();
  CHECK_FALSE(snapshot.first_custody_at.has_value());
  CHECK_FALSE(snapshot.custody_since.has_value());
  CHECK(snapshot.events == 3);
  CHECK(snapshot.flags.empty());
  CHECK_FALSE(snapshot.tvpra_screening.has_value());
  CHECK_FALSE(snapshot.restitution_plan);
  CHECK_FALSE(snapshot.born_not_before.has_value());
  CHECK_FALSE(snapshot.born_not_after.has_value());
  CHECK(f.Count("cases") == 1);
}

TEST_CASE("WriteCase refuses an empty subject key") {
  testing::StoreFixture f;
  CaseRecord record = Record();
  record.subject_key.clear();
  CHECK(f.store().cases().WriteCase(record, At(1)).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("LoadCase reports an unknown stored flag as corruption") {
  testing::StoreFixture f;
  REQUIRE(f.store().cases().WriteCase(Record(), At(4000)).ok());
  REQUIRE(f.db().Execute("UPDATE cases SET flags = '[\"wizard\"]'").ok());
  CHECK(f.store().cases().LoadCase("subj").status().code() == Status::Code::kCorruption);
  REQUIRE(f.db().Execute("UPDATE cases SET flags = 'not json'").ok());
  CHECK(f.store().cases().LoadCase("subj").status().code() == Status::Code::kCorruption);
}

TEST_CASE("LoadCase reports an unknown stored screening outcome as corruption") {
  testing::StoreFixture f;
  REQUIRE(f.store().cases().WriteCase(Record(), At(4000)).ok());
  REQUIRE(f.db().Execute("UPDATE cases SET tvpra_screening = 'waved_through'").ok());
  Result<CaseSnapshot> snapshot = f.store().cases().LoadCase("subj");
  CHECK(snapshot.status().code() == Status::Code::kCorruption);
  CHECK_THAT(snapshot.status().message(), Catch::Contains("waved_through"));
}

}  // namespace
}  // namespace amparo
