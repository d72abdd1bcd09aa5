#include "adapters/file/file_adapter.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace amparo {
namespace {

Status ErrnoStatus(const char* what, const std::string& path) {
  return Status::IOError(std::string("file: ") + what + " " + path + ": " + std::strerror(errno));
}

// Appends `line` to `path` with one write() of O_APPEND, so concurrent writers
// never interleave within a line; fsyncs if asked.
Status AppendLine(const std::string& path, const std::string& line, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  Status status;
  size_t written = 0;
  while (status.ok() && written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus("cannot write", path);
    } else {
      written += static_cast<size_t>(n);
    }
  }
  if (status.ok() && sync && ::fsync(fd) != 0) status = ErrnoStatus("cannot fsync", path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot close", path);
  return status;
}

}  // namespace

FileAdapter::FileAdapter(boost::asio::io_context& io, FileAdapterOptions options)
    : io_(io), options_(std::move(options)) {}

void FileAdapter::AsyncDeliver(const OutboundMessage& message, DeliveryDone done) {
  const std::string& path = message.target.empty() ? options_.default_path : message.target;
  DeliveryOutcome outcome = DeliveryOutcome::kDelivered;
  Status status;
  if (path.empty()) {
    outcome = DeliveryOutcome::kPermanent;
    status = Status::InvalidArgument("file: the channel names no path and there is no default");
  } else if (message.payload.find_first_of("\r\n") != std::string::npos) {
    outcome = DeliveryOutcome::kPermanent;
    status = Status::InvalidArgument("file: payload spans more than one line");
  } else {
    status = AppendLine(path, message.payload + "\n", options_.fsync);
    if (!status.ok()) outcome = DeliveryOutcome::kRetryable;
  }
  boost::asio::post(io_, [done = std::move(done), outcome, status = std::move(status)] {
    done(outcome, status);
  });
}

}  // namespace amparo
