#include "daemon/core/text_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace amparo {

Result<std::string> ReadTextFile(const std::string& path, std::string_view what) {
  const std::string name = what.empty() ? path : std::string(what) + " " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = "cannot read " + name + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(message) : Status::IOError(message);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("cannot read " + name);
  return text;
}

Status CheckSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read secret file " + path);
  if (in.peek() == std::ifstream::traits_type::eof()) {
    return Status::InvalidArgument("secret file " + path + " is empty");
  }
  return Status::OK();
}

Result<std::vector<std::string>> ListYamlFiles(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  std::vector<std::string> names;
  for (const auto& entry : it) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".yaml") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  for (std::string& name : names) name = prefix + name;
  return names;
}

Result<std::vector<std::pair<std::string, std::string>>> ReadYamlFolder(const std::string& dir) {
  Result<std::vector<std::string>> paths = ListYamlFiles(dir);
  if (!paths.ok()) return paths.status();
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& path : *paths) {
    Result<std::string> text = ReadTextFile(path);
    if (!text.ok()) return text.status();
    files.emplace_back(path, std::move(text).value());
  }
  return files;
}

}  // namespace amparo
