#include "daemon/http/console_assets.h"

#include <algorithm>
#include <string>

namespace amparo {

namespace http = boost::beast::http;

std::string_view ContentTypeFor(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::optional<HttpResponse> ServeConsoleFile(const HttpRequest& request, std::string_view path) {
  if (request.method() != http::verb::get) return std::nullopt;
  if (path == "/") path = "/index.html";
  const std::span<const EmbeddedFile> files = ConsoleAssets();
  const auto it = std::find_if(files.begin(), files.end(),
                               [&](const EmbeddedFile& f) { return f.path == path; });
  if (it == files.end()) return std::nullopt;
  HttpResponse res =
      MakeResponse(request, http::status::ok, ContentTypeFor(path), std::string(it->body));
  // Revalidate every time: the files change with the daemon, and they are small.
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy", std::string(kConsoleCsp));
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  return res;
}

}  // namespace amparo
