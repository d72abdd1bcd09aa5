// A temporary folder removed when the object dies. For tests.
#ifndef AMPARO_TESTS_SUPPORT_TEMP_DIR_H_
#define AMPARO_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace amparo::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Reads a whole file; empty if it does not exist.
std::string ReadFile(const std::filesystem::path& path);
// Writes `content` to `path`, replacing it.
void WriteFile(const std::filesystem::path& path, const std::string& content);
// AMPARO_SOURCE_DIR / relative.
std::filesystem::path SourcePath(const std::string& relative);

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_SUPPORT_TEMP_DIR_H_
