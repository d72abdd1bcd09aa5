#include "daemon/core/yaml_reader.h"

#include <catch2/catch.hpp>

#include "daemon/core/duration.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

TEST_CASE("ParseDuration reads the units people write") {
  CHECK(*ParseDuration("72h") == 72h);
  CHECK(*ParseDuration("1h30m") == 90min);
  CHECK(*ParseDuration("500ms") == 500ms);
  CHECK(*ParseDuration("3d") == 72h);
  CHECK(ParseDuration("").status().message() == "empty duration; write e.g. \"2h\" or \"30m\"");
  CHECK(ParseDuration("2").status().message() == "\"2\" has no unit; units are ms, s, m, h, d");
  CHECK(ParseDuration("2w").status().message() ==
        "\"2w\" has unknown unit \"w\"; units are ms, s, m, h, d");
  CHECK(ParseDuration("-2h").status().message() ==
        "\"-2h\" is not a duration; write e.g. \"2h\", \"30m\", \"1h30m\"");
  CHECK(FormatDuration(90min) == "1h30m");
  CHECK(FormatDuration(0ms) == "0s");
}

TEST_CASE("MapReader reports every mistake with its position") {
  Diagnostics diags;
  const std::string text =
      "broker:\n"
      "  uri: tcp://127.0.0.1:1883\n"
      "  keep_alive: 0\n"
      "  colour: blue\n"
      "  ack_within: 2x\n";
  auto doc = ParseYaml(text, "a.yaml", &diags);
  REQUIRE(doc);
  MapReader top(*doc, "", "a.yaml", &diags);
  MapReader broker(top.Node("broker"), "broker", "a.yaml", &diags);
  CHECK(broker.String("uri", true) == "tcp://127.0.0.1:1883");
  CHECK_FALSE(broker.Int("keep_alive", false, 1, 3600));
  CHECK_FALSE(broker.DurationValue("ack_within", false));
  CHECK_FALSE(broker.String("client_id", true));
  broker.Finish();
  top.Finish();
  REQUIRE(diags.size() == 4);
  CHECK(diags.items()[0].ToString() ==
        "a.yaml:3:15: broker.keep_alive: must be between 1 and 3600, got 0");
  CHECK(diags.items()[1].ToString() ==
        "a.yaml:5:15: broker.ack_within: \"2x\" has unknown unit \"x\"; units are ms, s, m, h, d");
  CHECK(diags.items()[2].ToString() == "a.yaml:2:3: broker.client_id: is required");
  CHECK(diags.items()[3].ToString() ==
        "a.yaml:4:3: broker.colour: unknown key (hint: known keys here: ack_within, client_id, "
        "keep_alive, uri)");
}

TEST_CASE("ParseYaml turns a syntax error into a positioned diagnostic") {
  Diagnostics diags;
  CHECK_FALSE(ParseYaml("a: [1, 2\nb: 3\n", "bad.yaml", &diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].pos.file == "bad.yaml");
  CHECK(diags.items()[0].pos.line >= 1);
  CHECK(diags.items()[0].message.rfind("YAML syntax error: ", 0) == 0);
}

}  // namespace
}  // namespace amparo

namespace amparo {
namespace {

TEST_CASE("ParseDuration refuses a total that would overflow") {
  // Each part fits; eleven of them do not fit in 64 bits of milliseconds.
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "10000000000d";
  CHECK(ParseDuration(eleven).status().message() == "\"" + eleven + "\" is too long a duration");
  CHECK(ParseDuration("10000000000d10000000000d").ok());
}

TEST_CASE("MapReader over an absent section reads as empty, reporting required keys") {
  Diagnostics diags;
  auto doc = ParseYaml("a: 1\n", "f.yaml", &diags);
  REQUIRE(doc);
  MapReader top(*doc, "", "f.yaml", &diags);
  MapReader absent(top.Node("section"), "section", "f.yaml", &diags);
  CHECK_FALSE(absent.Has("x"));
  CHECK_FALSE(absent.String("x", false));
  CHECK_FALSE(absent.String("y", true));
  absent.Finish();
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].ToString() == "f.yaml:1:1: section.y: is required");
}

}  // namespace
}  // namespace amparo

namespace amparo {
namespace {

// yaml-cpp keeps both of two equal keys and a lookup sees only the first: a
// hand-written file with a repeated key must be refused, not half read.
TEST_CASE("ParseYaml refuses a key repeated in one mapping, at any depth, with its position") {
  Diagnostics diags;
  CHECK_FALSE(ParseYaml("name: a\nsteps:\n  - at: 0h\n    at: 1h\nname: b\n", "t.yaml", &diags));
  REQUIRE(diags.size() == 2);
  CHECK(diags.items()[0].ToString() == "t.yaml:4:5: steps[0].at: duplicate key");
  CHECK(diags.items()[1].ToString() == "t.yaml:5:1: name: duplicate key");
  Diagnostics clean;
  CHECK(ParseYaml("a: {b: 1, c: 2}\nd: [{b: 1}, {b: 2}]\n", "ok.yaml", &clean));
  CHECK(clean.empty());
}

TEST_CASE("ParseYaml walks an alias once: a cycle or a tower of aliases ends") {
  Diagnostics diags;
  CHECK(ParseYaml("a: &x {b: *x}\n", "cycle.yaml", &diags));
  std::string tower = "l0: &l0 [x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 40; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    tower += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + prev + ", " + prev +
             ", " + prev + ", " + prev + "]\n";
  }
  CHECK(ParseYaml(tower, "tower.yaml", &diags));
  CHECK(diags.empty());
  // A repeated key inside an aliased mapping is still reported, once.
  CHECK_FALSE(ParseYaml("a: &x {k: 1, k: 2}\nb: *x\n", "alias.yaml", &diags));
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].ToString() == "alias.yaml:1:14: a.k: duplicate key");
}

TEST_CASE("MapReader hands out an absent key as a node that may be asked anything") {
  Diagnostics diags;
  std::optional<YAML::Node> doc = ParseYaml("name: x\n", "t.yaml", &diags);
  REQUIRE(doc);
  MapReader r(*doc, "", "t.yaml", &diags);
  const YAML::Node steps = r.Required("steps");
  CHECK_FALSE(steps.IsDefined());
  CHECK_FALSE(steps.IsSequence());  // used to throw YAML::InvalidNode
  CHECK_FALSE(steps.IsMap());
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].ToString() == "t.yaml:1:1: steps: is required");
}

}  // namespace
}  // namespace amparo
