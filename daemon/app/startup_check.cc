#include "daemon/app/startup_check.h"

#include <optional>

#include "daemon/app/policy.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/core/text_files.h"
#include "daemon/http/http_server.h"
#include "daemon/http/tokens.h"

namespace amparo {
namespace {

void CheckReadable(const std::optional<std::string>& path, const std::string& key,
                   std::vector<std::string>& problems) {
  if (!path) return;
  Result<std::string> text = ReadTextFile(*path);
  if (!text.ok()) problems.push_back(key + ": " + text.status().message());
}

}  // namespace

std::vector<std::string> CheckStartup(const Config& config) {
  std::vector<std::string> problems;
  Diagnostics diags;
  Result<Policy> policy = LoadPolicy(config, &diags);
  for (const Diagnostic& d : diags.items()) problems.push_back(d.ToString());
  if (!policy.ok() && diags.empty()) problems.push_back(policy.status().message());

  Result<SubjectHasher> hasher = SubjectHasher::FromKeyFile(config.privacy.deployment_key_file);
  if (!hasher.ok()) {
    problems.push_back("privacy.deployment_key_file: " + hasher.status().message());
  }
  CheckReadable(config.broker.password_file, "broker.password_file", problems);
  CheckReadable(config.broker.tls.ca_file, "broker.tls.ca_file", problems);
  CheckReadable(config.broker.tls.cert_file, "broker.tls.cert_file", problems);
  CheckReadable(config.broker.tls.key_file, "broker.tls.key_file", problems);
  if (config.http.enabled) {
    Result<HttpServerOptions> listen = ParseListen(config.http.listen, HttpServerOptions{});
    if (!listen.ok()) problems.push_back("http.listen: " + listen.status().message());
    if (config.http.ack_tokens_file) {
      Result<TokenTable> tokens = TokenTable::Load(*config.http.ack_tokens_file);
      if (!tokens.ok()) problems.push_back("http.ack_tokens_file: " + tokens.status().message());
    }
    if (config.http.tls_cert_file && config.http.tls_key_file) {
      // Loads both, so a key that does not match its certificate is caught too.
      auto tls = MakeServerTlsContext(*config.http.tls_cert_file, *config.http.tls_key_file);
      if (!tls.ok()) problems.push_back(tls.status().message());
    }
  }
  return problems;
}

}  // namespace amparo
