#include "daemon/routing/directory.h"

#include <algorithm>
#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"
#include "tests/unit/routing/routing_test_util.h"

namespace amparo {
namespace {

using testing::LoadText;
using testing::ReadFile;
using testing::ReadSources;
using testing::SampleDirectory;
using testing::SourcePath;

// Each tests/data/directory/bad/NAME.expected holds the exact diagnostics for
// the files NAME.yaml (and NAME.*.yaml, loaded together).
TEST_CASE("Every bad directory is refused with its exact diagnostics") {
  const std::filesystem::path bad = SourcePath("tests/data/directory/bad");
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(bad)) {
    if (entry.path().extension() != ".expected") continue;
    const std::string name = entry.path().stem().string();
    INFO("case " << name);
    Diagnostics diags;
    auto dir = Directory::Load(ReadSources(bad, name + "."), &diags);
    CHECK_FALSE(dir.ok());
    CHECK(diags.ToString() == ReadFile(entry.path()));
    ++cases;
  }
  CHECK(cases >= 12);
}

TEST_CASE("Load judges its own files only, beside diagnostics already collected") {
  Diagnostics diags;
  diags.Add({"rules.yaml", 1, 1}, "an earlier mistake");
  auto dir = Directory::Load(ReadSources(SourcePath("config/directory")), &diags);
  CHECK(dir.ok());
  CHECK(diags.size() == 1);
  dir = Directory::Load({{"x.yaml", "agencies: {}\n"}}, &diags);
  CHECK(dir.status().message() == "x.yaml:1:11: agencies: must be a list of agencies\n");
}

TEST_CASE("The shipped directory loads without errors") {
  auto dir = SampleDirectory();
  CHECK(dir->Check("duty-officer").ok());
  const std::vector<std::string> desks = {"GT", "HN", "SV", "NI", "MX", "CR",
                                          "PA", "BZ", "DO", "CA", "US"};
  for (const std::string& country : desks) {
    INFO("foreign_ministry of " << country);
    CHECK(std::any_of(dir->agencies().begin(), dir->agencies().end(), [&](const Agency& a) {
      return a.kind == AgencyKind::kForeignMinistry && a.country == country;
    }));
  }
  for (const char* profile :
       {"consular", "child_welfare_full", "oversight_minimal", "duty_officer_full"}) {
    CHECK(dir->Profile(profile) != nullptr);
  }
}

TEST_CASE("Agencies get defaults: the mqtt topic, roles by kind, priority 0") {
  auto dir = LoadText(
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - {id: dif, kind: child_welfare, country: MX, name: DIF, serves: [MX],\n"
      "     languages: [es], disclosure: p,\n"
      "     channels: [{type: mqtt}, {type: mqtt, topic: \"x/{id}/y\"},\n"
      "                {type: webhook, url: \"https://h.example/a\", secret_file: /s},\n"
      "                {type: smtp, to: a@b.example}, {type: file, path: /tmp/a.jsonl}]}\n"
      "  - {id: cndh, kind: ombudsman, country: MX, name: {es: CNDH, en: NHRC}, serves: [MX],\n"
      "     languages: [es], channels: [{type: mqtt}], disclosure: p, roles: [duty_officer]}\n");
  const Agency* dif = dir->Find("dif");
  REQUIRE(dif != nullptr);
  CHECK(dif->name == LocalizedText{{"", "DIF"}});
  CHECK(dif->priority == 0);
  CHECK(dif->roles == std::vector<std::string>{"child_welfare", "receiving_child_welfare"});
  REQUIRE(dif->channels.size() == 5);
  CHECK(dif->channels[0] == Channel{Channel::Type::kMqtt, "rcm/v1/alerts/dif", ""});
  CHECK(dif->channels[1].target == "x/dif/y");
  CHECK(dif->channels[2] == Channel{Channel::Type::kWebhook, "https://h.example/a", "/s"});
  CHECK(dif->channels[3] == Channel{Channel::Type::kSmtp, "a@b.example", ""});
  CHECK(dif->channels[4] == Channel{Channel::Type::kFile, "/tmp/a.jsonl", ""});
  const Agency* cndh = dir->Find("cndh");
  REQUIRE(cndh != nullptr);
  CHECK(cndh->name.at("en") == "NHRC");
  CHECK(cndh->roles == std::vector<std::string>{"duty_officer"});
  CHECK(dir->Find("nobody") == nullptr);
}

TEST_CASE("A channel type the caller cannot deliver to is refused at its own position") {
  const std::string text =
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - id: dif\n"
      "    kind: child_welfare\n"
      "    country: MX\n"
      "    name: DIF\n"
      "    serves: [MX]\n"
      "    languages: [es]\n"
      "    disclosure: p\n"
      "    channels:\n"
      "      - {type: mqtt}\n"
      "      - {type: smtp, to: a@b.example}\n";
  const ChannelTypeCheck only_mqtt = [](std::string_view type) {
    return type == "mqtt" ? Status::OK() : Status::InvalidArgument("not in this build");
  };
  Diagnostics diags;
  auto dir = Directory::Load({{"test.yaml", text}}, &diags, only_mqtt);
  CHECK_FALSE(dir.ok());
  CHECK(diags.ToString() == "test.yaml:12:16: agencies[0].channels[1].type: not in this build\n");
  // Without a check every known type loads (the unit tests of routing do so).
  Diagnostics none;
  CHECK(Directory::Load({{"test.yaml", text}}, &none).ok());
}

TEST_CASE("A webhook secret file the check refuses is refused at its own position") {
  const std::string text =
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - {id: dif, kind: child_welfare, country: MX, name: DIF, serves: [MX],\n"
      "     languages: [es], disclosure: p,\n"
      "     channels: [{type: webhook, url: \"https://h.example/a\", secret_file: keys/dif}]}\n";
  std::vector<std::string> asked;
  const SecretFileCheck refuse = [&asked](const std::string& path) {
    asked.push_back(path);
    return Status::InvalidArgument("cannot read secret file " + path);
  };
  Diagnostics diags;
  auto dir = Directory::Load({{"/etc/amparo/directory/mx.yaml", text}}, &diags, nullptr, refuse);
  CHECK_FALSE(dir.ok());
  INFO(diags.ToString());
  // A relative path is resolved next to the directory file.
  CHECK(asked == std::vector<std::string>{"/etc/amparo/directory/keys/dif"});
  CHECK(diags.ToString().starts_with(
      "/etc/amparo/directory/mx.yaml:5:74: agencies[0].channels[0].secret_file: cannot read "
      "secret file /etc/amparo/directory/keys/dif"));

  Diagnostics accepted;
  auto ok = Directory::Load({{"/etc/amparo/directory/mx.yaml", text}}, &accepted, nullptr,
                            [](const std::string&) { return Status::OK(); });
  REQUIRE(ok.ok());
  CHECK((*ok)->Find("dif")->channels[0].secret_file == "/etc/amparo/directory/keys/dif");
}

TEST_CASE("An agency's time zone is its tz, else its office hours' zone, else none") {
  auto dir = LoadText(
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - {id: a, kind: child_welfare, country: MX, name: A, serves: [MX-CHP], languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p, tz: America/Mexico_City}\n"
      "  - {id: b, kind: child_welfare, country: PA, name: B, serves: [PA], languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p,\n"
      "     hours: {tz: America/Panama, days: [mon], from: \"08:00\", to: \"17:00\"}}\n"
      "  - {id: c, kind: child_welfare, country: CR, name: C, serves: [CR], languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p}\n");
  REQUIRE(dir->Find("a")->time_zone != nullptr);
  CHECK(dir->Find("a")->time_zone->name() == "America/Mexico_City");
  REQUIRE(dir->Find("b")->time_zone != nullptr);
  CHECK(dir->Find("b")->time_zone->name() == "America/Panama");
  CHECK(dir->Find("c")->time_zone == nullptr);
}

TEST_CASE("Check refuses an unrouted agency that is missing or not always reachable") {
  auto dir = LoadText(
      "disclosure_profiles: {p: [subject.id]}\n"
      "agencies:\n"
      "  - {id: dif, kind: child_welfare, country: MX, name: DIF, serves: [MX],\n"
      "     languages: [es], channels: [{type: mqtt}], disclosure: p}\n"
      "  - {id: night, kind: duty_officer, country: MX, name: N, languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p,\n"
      "     hours: {tz: America/Mexico_City, days: [sat, sun], from: \"00:00\", to: \"24:00\"}}\n"
      "  - {id: duty, kind: duty_officer, country: MX, name: D, languages: [es],\n"
      "     channels: [{type: mqtt}], disclosure: p}\n");
  CHECK(dir->Check("duty").ok());
  CHECK(dir->Check("nobody").ToString() ==
        "NotFound: unrouted agency \"nobody\" is not in the directory");
  CHECK(dir->Check("dif").ToString() ==
        "FailedPrecondition: unrouted agency \"dif\" is a child_welfare, not a duty_officer");
  CHECK(dir->Check("night").ToString() ==
        "FailedPrecondition: unrouted agency \"night\" has hours or validity dates; the last "
        "resort must be reachable at all times");
}

}  // namespace
}  // namespace amparo
