// amparod: the amparo daemon. Thin: parse the command line, load and check
// the config, run the Daemon, map the outcome to an exit code.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "daemon/app/config.h"
#include "daemon/app/daemon.h"
#include "daemon/app/logging.h"
#include "daemon/app/startup_check.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/iso3166.h"

namespace {

using amparo::kExitConfig;

int Main(int argc, char** argv) {
  CLI::App cli{"amparod: child-protection alerting daemon"};
  std::string config_path = "/etc/amparo/amparod.yaml";
  bool check_only = false;
  std::optional<std::string> broker;
  std::optional<std::string> db;
  std::optional<std::string> log_format;
  cli.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  cli.add_flag("--check", check_only, "validate the configuration and exit (0 valid, 78 not)");
  cli.add_option("--broker", broker, "broker URI, overrides broker.uri");
  cli.add_option("--db", db, "SQLite file, overrides store.path");
  cli.add_option("--log-format", log_format, "text or json, overrides logging.format")
      ->check(CLI::IsMember({"text", "json"}));
  cli.set_version_flag("--version", std::string("amparod ") + AMPARO_VERSION);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage mistake 64 (EX_USAGE), not
    // CLI11's own codes.
    return cli.exit(e) == 0 ? amparo::kExitOk : amparo::kExitUsage;
  }

  try {
    amparo::Result<amparo::Config> config = amparo::LoadConfigFile(config_path);
    if (config.ok()) {
      amparo::Status s = amparo::ApplyOverrides(&*config, broker, db);
      if (!s.ok()) config = s;
    }
    if (!config.ok()) {
      (void)std::fprintf(stderr, "%s: invalid configuration:\n%s\n", config_path.c_str(),
                         config.status().message().c_str());
      return kExitConfig;
    }
    // The ISO 3166 codes events and agencies are checked against: loaded once,
    // before the directory (core/iso3166.h).
    if (amparo::Status s = amparo::InstallIso3166Dir(config->directory.iso_codes_dir); !s.ok()) {
      (void)std::fprintf(stderr, "%s: directory.iso_codes_dir: %s\n", config_path.c_str(),
                         s.message().c_str());
      return kExitConfig;
    }
    if (log_format) {
      config->logging.format =
          *log_format == "json" ? amparo::LogFormat::kJson : amparo::LogFormat::kText;
    }
    if (check_only) {
      // Everything the daemon needs to start, not only the config's syntax.
      const std::vector<std::string> problems = amparo::CheckStartup(*config);
      for (const std::string& p : problems) (void)std::fprintf(stderr, "%s\n", p.c_str());
      if (!problems.empty()) {
        (void)std::fprintf(stderr, "%s: %zu problem(s); amparod would not start\n",
                           config_path.c_str(), problems.size());
        return kExitConfig;
      }
      (void)std::printf("%s: configuration, rules, directory and key files are valid\n",
                        config_path.c_str());
      return 0;
    }
    if (amparo::Status s = amparo::SetupLogging(config->logging.format, config->logging.level);
        !s.ok()) {
      (void)std::fprintf(stderr, "logging: %s\n", s.ToString().c_str());
      return kExitConfig;
    }
    amparo::Daemon daemon(std::move(config).value());
    return daemon.Run();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}

}  // namespace

// No exception leaves main: whatever Main (or logging its failure) throws
// ends the process with 1.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (...) {
    (void)std::fputs("amparod: fatal: unexpected exception\n", stderr);
    return 1;
  }
}
