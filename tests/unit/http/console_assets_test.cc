// The duty console's files as amparod serves them: embedded at build time,
// each with its Content-Type, no-cache and a strict CSP, and nothing in
// them that the CSP would have to allow (inline script, inline style,
// event-handler attributes, another origin).
#include "daemon/http/console_assets.h"

#include <regex>

#include <catch2/catch.hpp>

namespace amparo {
namespace {

namespace http = boost::beast::http;

HttpRequest Get(const std::string& target, http::verb verb = http::verb::get) {
  HttpRequest r{verb, target, 11};
  return r;
}

std::string Header(const HttpResponse& r, http::field f) {
  const auto it = r.find(f);
  return it == r.end() ? "" : std::string(it->value());
}

std::string Header(const HttpResponse& r, std::string_view name) {
  const auto it = r.find(boost::beast::string_view(name.data(), name.size()));
  return it == r.end() ? "" : std::string(it->value());
}

std::string_view File(std::string_view path) {
  for (const EmbeddedFile& f : ConsoleAssets()) {
    if (f.path == path) return f.body;
  }
  return {};
}

TEST_CASE("console: / is index.html, with its type, no-cache and a strict CSP") {
  const std::optional<HttpResponse> res = ServeConsoleFile(Get("/"), "/");
  REQUIRE(res.has_value());
  CHECK(res->result() == http::status::ok);
  CHECK(Header(*res, http::field::content_type) == "text/html; charset=utf-8");
  CHECK(Header(*res, http::field::cache_control) == "no-cache");
  const std::string csp = Header(*res, "Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(Header(*res, "Referrer-Policy") == "no-referrer");
  CHECK(res->body() == File("/index.html"));
  CHECK(res->body().find("<html lang=") != std::string::npos);
}

TEST_CASE(
    "console: the script and the stylesheet with their types, and other paths are not files") {
  const auto js = ServeConsoleFile(Get("/console.js"), "/console.js");
  REQUIRE(js.has_value());
  CHECK(Header(*js, http::field::content_type) == "text/javascript; charset=utf-8");
  CHECK(js->body().find("sessionStorage") != std::string::npos);
  const auto css = ServeConsoleFile(Get("/console.css"), "/console.css");
  REQUIRE(css.has_value());
  CHECK(Header(*css, http::field::content_type) == "text/css; charset=utf-8");
  CHECK_FALSE(ServeConsoleFile(Get("/nothing.js"), "/nothing.js").has_value());
  CHECK_FALSE(ServeConsoleFile(Get("/../daemon.cc"), "/../daemon.cc").has_value());
  CHECK_FALSE(ServeConsoleFile(Get("/", http::verb::post), "/").has_value());
  CHECK(ContentTypeFor("x.svg") == "image/svg+xml");
  CHECK(ContentTypeFor("x.bin") == "application/octet-stream");
}

TEST_CASE("console: the page needs nothing the CSP forbids, and every file it loads is embedded") {
  const std::string html(File("/index.html"));
  REQUIRE_FALSE(html.empty());
  // Every <script> has a src; no style attribute, no <style>, no on*= handler.
  const std::regex script(R"(<script(\s[^>]*)?>)");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), script);
       it != std::sregex_iterator(); ++it) {
    CHECK(it->str().find("src=") != std::string::npos);
  }
  CHECK(html.find("<style") == std::string::npos);
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\sstyle=)")));
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)")));
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  const std::regex local(R"re((?:src|href)="(/[^"]*)")re");
  int loaded = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), local);
       it != std::sregex_iterator(); ++it) {
    INFO((*it)[1].str());
    CHECK_FALSE(File((*it)[1].str()).empty());
    ++loaded;
  }
  CHECK(loaded == 3);  // the icon, the stylesheet, the script
  // The script never writes HTML from data.
  const std::string js(File("/console.js"));
  CHECK(js.find("innerHTML") == std::string::npos);
  CHECK(js.find("eval(") == std::string::npos);
}

}  // namespace
}  // namespace amparo
