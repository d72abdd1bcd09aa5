// Real servers on 127.0.0.1 for the adapter tests: the Python receivers in
// tests/support (run with Debian's /usr/bin/python3, which has aiosmtpd), a
// throw-away PKI made by openssl at test time, and a helper that delivers
// one message and runs the loop until its outcome arrives.
#ifndef AMPARO_TESTS_UNIT_ADAPTERS_LOOPBACK_SERVERS_H_
#define AMPARO_TESTS_UNIT_ADAPTERS_LOOPBACK_SERVERS_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/delivery/adapter.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

struct Pki {
  std::string ca;    // PEM of the test CA.
  std::string cert;  // Server certificate for 127.0.0.1, signed by the CA.
  std::string key;   // Its key.
};

// Makes a fresh test PKI under dir/pki.
inline Pki MakePki(const TempDir& dir) {
  std::string output;
  const std::string pki = dir.File("pki");
  const int rc = RunCommand({SourcePath("tests/support/make_test_pki.sh").string(), pki}, &output);
  INFO(output);
  REQUIRE(rc == 0);
  return {pki + "/ca.pem", pki + "/server.pem", pki + "/server.key"};
}

// A receiver script started with `args`; it writes its port to a file.
class Receiver {
 public:
  Receiver(const TempDir& dir, const std::string& name, const std::string& script,
           std::vector<std::string> args)
      : port_file_(dir.File(name + ".port")), log_(dir.File(name + ".log")) {
    std::vector<std::string> argv = {kPython,       SourcePath("tests/support/" + script).string(),
                                     "--port-file", port_file_,
                                     "--log",       log_};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv, dir.File(name + ".stderr"));
    const bool up =
        WaitUntil([&] { return !ReadFile(port_file_).empty(); }, std::chrono::seconds(15));
    INFO(ReadFile(dir.File(name + ".stderr")));
    REQUIRE(up);
    port_ = std::stoi(ReadFile(port_file_));
  }
  int port() const { return port_; }
  // Every JSON line the receiver logged so far.
  std::vector<nlohmann::json> Records() const {
    std::vector<nlohmann::json> records;
    const std::string text = ReadFile(log_);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) records.push_back(nlohmann::json::parse(text.substr(start, end - start)));
      start = end + 1;
    }
    return records;
  }

 private:
  std::string port_file_;
  std::string log_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

struct Outcome {
  DeliveryOutcome outcome;
  Status why;
  DeliveryHint hint;
};

// Starts a delivery and runs the loop until its outcome arrives (at most 20 s).
template <typename A>
Outcome DeliverAndWait(A& adapter, boost::asio::io_context& io, const OutboundMessage& message) {
  std::optional<Outcome> result;
  int calls = 0;
  adapter.AsyncDeliver(message, [&](DeliveryOutcome outcome, Status why, DeliveryHint hint) {
    ++calls;
    result = Outcome{outcome, std::move(why), hint};
  });
  REQUIRE_FALSE(result.has_value());  // Never inline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!result && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  REQUIRE(result.has_value());
  CHECK(calls == 1);
  return *result;
}

// A loopback port with nothing listening on it.
inline int UnusedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_UNIT_ADAPTERS_LOOPBACK_SERVERS_H_
