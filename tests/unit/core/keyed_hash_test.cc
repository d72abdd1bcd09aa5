#include "daemon/core/keyed_hash.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

using internal::HmacSha256Hex;

// RFC 4231 section 4, HMAC-SHA-256.
TEST_CASE("HmacSha256Hex matches the RFC 4231 test vectors") {
  CHECK(HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(HmacSha256Hex(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  CHECK(HmacSha256Hex(key4, std::string(50, '\xcd')) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 5 specifies only the first 128 bits.
  CHECK(HmacSha256Hex(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32) ==
        "a3b6167473100ee06e0c796c2955552b");
  CHECK(HmacSha256Hex(std::string(131, '\xaa'),
                      "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(HmacSha256Hex(std::string(131, '\xaa'),
                      "This is a test using a larger than block-size key and a larger than "
                      "block-size data. The key needs to be hashed before being used by the HMAC "
                      "algorithm.") ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("Hash is the first 12 hex characters of the HMAC and never changes") {
  const SubjectHasher hasher(std::string(32, 'k'));
  // Computed independently (Python hmac); a change here breaks every deployment's log history.
  CHECK(hasher.Hash("subject-0001") == "67da48087bac");
  CHECK(hasher.Hash("subject-0001") ==
        HmacSha256Hex(std::string(32, 'k'), "subject-0001").substr(0, 12));
  CHECK(hasher.Hash("subject-0002") != hasher.Hash("subject-0001"));
  CHECK(SubjectHasher(std::string(32, 'j')).Hash("subject-0001") != hasher.Hash("subject-0001"));
  CHECK(hasher.Hash("").size() == 12);
}

TEST_CASE("FromKeyFile takes the file's bytes as the key") {
  testing::TempDir dir;
  const std::string path = dir.File("key");
  const std::string key = std::string(40, 'z') + "\n";
  testing::WriteFile(path, key);
  Result<SubjectHasher> hasher = SubjectHasher::FromKeyFile(path);
  REQUIRE(hasher.ok());
  CHECK(hasher->Hash("s") == SubjectHasher(key).Hash("s"));
}

TEST_CASE("FromKeyFile refuses a missing, short or oversized key file") {
  testing::TempDir dir;
  const std::string path = dir.File("key");
  Result<SubjectHasher> hasher = SubjectHasher::FromKeyFile(path);
  CHECK(hasher.status().code() == Status::Code::kNotFound);
  CHECK(hasher.status().message() == "cannot read " + path + ": No such file or directory");

  testing::WriteFile(path, std::string(31, 'k'));
  hasher = SubjectHasher::FromKeyFile(path);
  CHECK(hasher.status().code() == Status::Code::kInvalidArgument);
  CHECK(hasher.status().message() ==
        path +
            " holds 31 bytes; a deployment key needs at least 32 (make one with: head -c 32 "
            "/dev/urandom)");

  testing::WriteFile(path, std::string(32, 'k'));
  CHECK(SubjectHasher::FromKeyFile(path).ok());

  testing::WriteFile(path, std::string(4097, 'k'));
  hasher = SubjectHasher::FromKeyFile(path);
  CHECK(hasher.status().message() ==
        path + " holds more than 4096 bytes; is it the deployment key?");
}

}  // namespace
}  // namespace amparo
