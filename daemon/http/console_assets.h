// The duty officer's console (issue 13): the files of daemon/http/console/,
// embedded into amparod at build time (daemon/http/embed_assets.cmake), and
// how they are served.
//
// The static files need no token: they hold no data. The page asks the API
// for everything with the bearer token the person typed in, which it keeps
// in sessionStorage only. Every file goes out with a strict
// Content-Security-Policy (no inline script or style, nothing from another
// origin), nosniff, no referrer and no framing.
//
// Thread-safety: the files are constants; the functions are pure.
#ifndef AMPARO_DAEMON_HTTP_CONSOLE_ASSETS_H_
#define AMPARO_DAEMON_HTTP_CONSOLE_ASSETS_H_

#include <optional>
#include <span>
#include <string_view>

#include "daemon/http/http_server.h"

namespace amparo {

struct EmbeddedFile {
  std::string_view path;  // "/index.html"
  std::string_view body;
};

// Every embedded file, sorted by path (defined in the generated source).
std::span<const EmbeddedFile> ConsoleAssets();

// The policy every console file is served with.
inline constexpr std::string_view kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

// The Content-Type for a file name by its extension ("text/html; charset=utf-8"…);
// application/octet-stream for one it does not know.
std::string_view ContentTypeFor(std::string_view path);

// The response for GET of `path` ("/" is "/index.html") if it names a
// console file; nullopt otherwise.
std::optional<HttpResponse> ServeConsoleFile(const HttpRequest& request, std::string_view path);

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_CONSOLE_ASSETS_H_
