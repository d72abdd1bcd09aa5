// TvpraScreening::Outcome() over all 27 combinations of the three answers.
#include <array>
#include <map>
#include <tuple>

#include <catch2/catch.hpp>

#include "daemon/event/event.h"

namespace amparo {
namespace {

constexpr ScreeningAnswer kYes = ScreeningAnswer::kYes;
constexpr ScreeningAnswer kNo = ScreeningAnswer::kNo;
constexpr ScreeningAnswer kPending = ScreeningAnswer::kPending;
constexpr ScreeningOutcome kIn = ScreeningOutcome::kScreenedIn;
constexpr ScreeningOutcome kOut = ScreeningOutcome::kScreenedOut;
constexpr ScreeningOutcome kWait = ScreeningOutcome::kPending;

struct Row {
  ScreeningAnswer trafficking_victim;
  ScreeningAnswer credible_fear;
  ScreeningAnswer independent_decision;
  ScreeningOutcome outcome;
};

// The whole table, written out by hand: screened in when the child is a
// victim, has a credible fear, or cannot decide independently; screened out
// only when all three answers permit a return; pending otherwise.
constexpr std::array<Row, 27> kTable = {{
    // victim = yes: always screened in.
    {kYes, kYes, kYes, kIn},
    {kYes, kYes, kNo, kIn},
    {kYes, kYes, kPending, kIn},
    {kYes, kNo, kYes, kIn},
    {kYes, kNo, kNo, kIn},
    {kYes, kNo, kPending, kIn},
    {kYes, kPending, kYes, kIn},
    {kYes, kPending, kNo, kIn},
    {kYes, kPending, kPending, kIn},
    // victim = no.
    {kNo, kYes, kYes, kIn},
    {kNo, kYes, kNo, kIn},
    {kNo, kYes, kPending, kIn},
    {kNo, kNo, kYes, kOut},  // The only combination that permits a return.
    {kNo, kNo, kNo, kIn},
    {kNo, kNo, kPending, kWait},
    {kNo, kPending, kYes, kWait},
    {kNo, kPending, kNo, kIn},
    {kNo, kPending, kPending, kWait},
    // victim = pending.
    {kPending, kYes, kYes, kIn},
    {kPending, kYes, kNo, kIn},
    {kPending, kYes, kPending, kIn},
    {kPending, kNo, kYes, kWait},
    {kPending, kNo, kNo, kIn},
    {kPending, kNo, kPending, kWait},
    {kPending, kPending, kYes, kWait},
    {kPending, kPending, kNo, kIn},
    {kPending, kPending, kPending, kWait},
}};

TEST_CASE("TvpraScreening::Outcome follows the table for all 27 combinations") {
  std::map<std::tuple<ScreeningAnswer, ScreeningAnswer, ScreeningAnswer>, int> seen;
  std::map<ScreeningOutcome, int> counts;
  for (const Row& row : kTable) {
    const TvpraScreening s{row.trafficking_victim, row.credible_fear, row.independent_decision};
    INFO("trafficking_victim=" << ToString(row.trafficking_victim)
                               << " credible_fear=" << ToString(row.credible_fear)
                               << " independent_decision=" << ToString(row.independent_decision));
    CHECK(ToString(s.Outcome()) == ToString(row.outcome));
    ++seen[{row.trafficking_victim, row.credible_fear, row.independent_decision}];
    ++counts[row.outcome];
  }
  CHECK(seen.size() == 27);  // Each combination exactly once.
  CHECK(counts[kIn] == 19);
  CHECK(counts[kOut] == 1);
  CHECK(counts[kWait] == 7);
}

TEST_CASE("TvpraScreening::Outcome: named cases") {
  // A fresh screening has every answer pending.
  CHECK(TvpraScreening{}.Outcome() == kWait);
  // One answer requiring a transfer to ORR is enough, whatever the others.
  CHECK(TvpraScreening{kPending, kPending, kNo}.Outcome() == kIn);
  CHECK(TvpraScreening{kNo, kYes, kYes}.Outcome() == kIn);
  CHECK(TvpraScreening{kYes, kNo, kYes}.Outcome() == kIn);
  // "independent_decision: yes" is the answer that permits a return, not "no".
  CHECK(TvpraScreening{kNo, kNo, kYes}.Outcome() == kOut);
  CHECK(TvpraScreening{kNo, kNo, kNo}.Outcome() == kIn);
  // One open question keeps an otherwise clear screening pending.
  CHECK(TvpraScreening{kNo, kNo, kPending}.Outcome() == kWait);
  CHECK(TvpraScreening{kPending, kNo, kYes}.Outcome() == kWait);
}

}  // namespace
}  // namespace amparo
