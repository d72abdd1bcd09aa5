#include "daemon/core/html_escape.h"

#include <catch2/catch.hpp>

namespace amparo {
namespace {

TEST_CASE("HtmlEscape leaves no markup") {
  CHECK(HtmlEscape(R"(<script>alert("x")</script> & 'y')") ==
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
  CHECK(HtmlEscape("plain") == "plain");
}

}  // namespace
}  // namespace amparo
