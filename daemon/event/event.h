// The event contract v1 (DESIGN.md §3) as C++ value types.
//
// An Event is what a migration authority published, after decoding and
// validation by event_codec.h: every required field is present and every
// enumerated field holds a known value. Optional fields are std::optional or
// empty vectors. Events are plain values; copy them freely between threads.
#ifndef AMPARO_DAEMON_EVENT_EVENT_H_
#define AMPARO_DAEMON_EVENT_EVENT_H_

#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "daemon/core/clock.h"
#include "daemon/event/enums.h"

namespace amparo {

inline constexpr const char* kEventSchemaV1 = "amparo.event.v1";
inline constexpr std::size_t kMaxEventBytes = std::size_t{64} * 1024;

// An RFC 3339 timestamp: the instant, and the UTC offset it was written with.
// The offset matters: a child's 18th birthday falls on the local date.
struct Timestamp {
  Instant utc{};
  int offset_minutes = 0;  // e.g. -360 for "-06:00".

  // The calendar date at the place and offset the timestamp was written in.
  date::year_month_day LocalDate() const;
  // The hour (0-23) and ISO weekday (1 = Monday .. 7 = Sunday) at that offset.
  int LocalHour() const;
  int LocalIsoWeekday() const;
  bool operator==(const Timestamp&) const = default;
};

struct Facility {
  std::string id;
  FacilityType type = FacilityType::kBorderPost;
  bool operator==(const Facility&) const = default;
};

struct Authority {
  std::string country;  // ISO 3166-1 alpha-2.
  std::string agency;   // e.g. "INM", "CBP-USBP".
  std::optional<std::string> office;
  bool operator==(const Authority&) const = default;
};

struct Location {
  std::string country;  // ISO 3166-1 alpha-2.
  std::string admin1;   // ISO 3166-2, e.g. "MX-CHP".
  std::optional<std::string> place;
  std::optional<Facility> facility;
  bool operator==(const Location&) const = default;
};

struct PersonName {
  std::string given;
  std::string family;
  bool operator==(const PersonName&) const = default;
};

struct Age {
  // Absent only with basis kUnknown: an authority that does not know the
  // child's age says so, and the presumption of minority applies.
  std::optional<int> years;
  AgeBasis basis = AgeBasis::kUnknown;
  // How the assessment was made; only with basis kAssessment (US-5).
  std::optional<AgeMethod> method;
  bool operator==(const Age&) const = default;
};

struct Companion {
  Relation relation = Relation::kUnrelatedAdult;
  // Where the companion is, relative to the child; absent: not said (MX-1).
  std::optional<CompanionCustody> custody_status;
  bool operator==(const Companion&) const = default;
};

struct Subject {
  std::string id;  // The authority's pseudonymous case number.
  std::optional<PersonName> name;
  std::optional<date::year_month_day> birth_date;
  // How exact birth_date is; only present with birth_date.
  std::optional<BirthDatePrecision> birth_date_precision;
  std::optional<Age> age;
  Sex sex = Sex::kUnknown;
  std::vector<std::string> nationalities;  // ISO 3166-1 alpha-2, at least one.
  std::vector<std::string> languages;      // BCP 47 primary tags, e.g. "es", "mam".
  Accompaniment accompaniment = Accompaniment::kUnknown;
  std::vector<Companion> companions;
  std::vector<SubjectFlag> flags;
  std::optional<std::string> habitual_residence;  // ISO 3166-1 alpha-2.
  // The pseudonyms under which other authorities (or this one, earlier) knew
  // the same child: amparo links their cases to this one (case linking).
  std::vector<std::string> previous_ids;
  bool operator==(const Subject&) const = default;
};

struct TransferTarget {
  std::string agency;
  TransferKind kind = TransferKind::kChildWelfare;
  std::optional<Facility> facility;
  // The receiving agency's own case number for the child, when the sender
  // knows it: amparo links that case to the sender's.
  std::optional<std::string> case_id;
  bool operator==(const TransferTarget&) const = default;
};

struct Transfer {
  TransferTarget to;
  bool operator==(const Transfer&) const = default;
};

struct Return {
  std::string to_country;  // ISO 3166-1 alpha-2.
  std::optional<std::string> port;
  std::optional<Timestamp> scheduled_at;
  bool operator==(const Return&) const = default;
};

// Optional custody facts some rules need (DOMAIN.md (c)).
struct Custody {
  std::optional<Timestamp> start;  // Anchor of the holding clocks, when the authority sends it.
  std::optional<bool> with_unrelated_adults;
  std::optional<CustodyKind> kind;  // Absent: the authority did not say.
  // When a court or tribunal reviewed the detention (e.g. the IRB, CA-3).
  std::optional<Timestamp> detention_review_at;
  // The ordinal (1..999) of that review: 1 the first (IRB: 48 h), 2 the
  // next (7 days), 3 and later the periodic ones (30 days). Only with
  // detention_review_at.
  std::optional<int> detention_review_number;
  bool operator==(const Custody&) const = default;
};

// What the child was told of, and asked about, consular notification.
struct ConsularNotification {
  ConsularRequest requested_by_child = ConsularRequest::kNotAsked;
  bool operator==(const ConsularNotification&) const = default;
};

// The three TVPRA screening questions for a child of a contiguous country
// (DOMAIN.md US-3, CBP Form 93). Each is answered, or still pending.
struct TvpraScreening {
  ScreeningAnswer trafficking_victim = ScreeningAnswer::kPending;  // Victim, or at risk on return.
  ScreeningAnswer credible_fear = ScreeningAnswer::kPending;       // Of persecution on return.
  ScreeningAnswer independent_decision = ScreeningAnswer::kPending;  // Able to decide to withdraw.

  // Screened in when any answer requires a transfer to ORR (a victim, a
  // credible fear, or not able to decide), screened out when every answer
  // permits a return, pending otherwise.
  ScreeningOutcome Outcome() const;
  bool operator==(const TvpraScreening&) const = default;
};

// Steps of the child-protection procedure the authority reports.
struct Procedure {
  // The Procuraduria's Plan de Restitucion de Derechos (MX-3, MX-7).
  std::optional<std::string> restitution_plan_id;
  // Whether the Procuraduría issued the protection measure without which no
  // child enters a Centro de Asistencia Social (MX-4); absent: not said.
  std::optional<ProtectionMeasure> protection_measure;
  bool operator==(const Procedure&) const = default;
};

// How a child left custody on a `release` event (DOMAIN.md (c)
// RELEASE_TO_SPONSOR). Optional on every event type, like the other blocks.
struct Release {
  ReleaseTo to = ReleaseTo::kOther;
  // The kind of authority that released the child; absent: the publishing
  // authority, a migration or border authority (DESIGN.md §3).
  std::optional<TransferKind> by;
  // Who else was available to take the child at the release (Flores ¶14
  // order of preference, US-7); empty: not said.
  std::vector<ReleaseTo> available;
  bool operator==(const Release&) const = default;
};

// What the receiving state's child-welfare authority reports after a return
// (reception, family reunification or alternative care, the reintegration
// plan, follow-up visits). Required on a `reception` event; allowed on any.
struct Reintegration {
  // The event_id of the `return` event the child came back on (the alert the
  // receiving authority got carries it): it links the receiving state's
  // events, under its own subject.id, to the return and its clocks.
  std::string return_event_id;
  std::optional<ReintegrationCare> care;  // Reunified with family, or placed in care.
  std::optional<std::string> plan_id;     // The reintegration plan.
  std::optional<int> follow_up_visit;     // The ordinal (1..20) of the visit this event reports.
  bool operator==(const Reintegration&) const = default;
};

// Whether a guardian (or legal representative) has been appointed for the
// child (CRC GC6 ¶¶21, 33; INT-5). Optional on every event type.
struct Guardian {
  bool appointed = false;
  std::optional<Timestamp> appointed_at;  // Only when appointed.
  bool operator==(const Guardian&) const = default;
};

struct Event {
  std::string schema = kEventSchemaV1;
  std::string event_id;
  EventType type = EventType::kApprehension;
  Timestamp occurred_at;
  Authority authority;
  Location location;
  Subject subject;
  std::optional<Transfer> transfer;  // Required when type == kTransfer.
  std::optional<Return> return_;     // "return" in JSON; required when type == kReturn.
  std::optional<Custody> custody;
  std::optional<ConsularNotification> consular_notification;
  std::optional<TvpraScreening> tvpra_screening;
  std::optional<Procedure> procedure;
  std::optional<Release> release;
  std::optional<Reintegration> reintegration;
  std::optional<Guardian> guardian;
  bool operator==(const Event&) const = default;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_EVENT_EVENT_H_
