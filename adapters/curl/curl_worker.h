// CurlWorker: runs libcurl transfers (HTTPS for webhooks, SMTP for mail) on
// one worker thread, so that the io_context never waits for the network.
//
// Why a worker and not curl_multi_socket_action on the io_context: the socket
// interface needs a socket callback, a timer callback and per-socket Asio
// descriptors kept in step with curl's view of them; getting it wrong hangs a
// transfer silently. A curl multi handle polled on its own thread
// (curl_multi_poll, woken by curl_multi_wakeup) is the loop curl documents,
// costs one thread for every transfer of an adapter, and keeps curl's state on
// one thread. Concurrency is bounded by max_in_flight (and the dispatcher's
// own bound); what is submitted beyond it waits in a queue.
//
// Each transfer's `finished` runs on the worker thread with the transfer's
// result; adapters post from there to the io_context. Transfers still queued or
// running when the worker is destroyed are dropped without a callback (the
// dispatcher redoes them at the next start, with the same idempotency key).
//
// Thread-safety: Submit may be called from any thread.
#ifndef AMPARO_ADAPTERS_CURL_CURL_WORKER_H_
#define AMPARO_ADAPTERS_CURL_CURL_WORKER_H_

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <curl/curl.h>

#include "daemon/core/status.h"

namespace amparo {

// One transfer: an easy handle and the buffers it points into. The adapter
// fills it; the worker owns it from Submit until `finished` returns.
class CurlTransfer {
 public:
  CurlTransfer();
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  CURL* easy() const { return easy_; }
  // Adds a request header ("Name: value") or, for SMTP, a recipient.
  void AddHeader(const std::string& line);
  void AddRecipient(const std::string& address);
  // Uploads `body` (POST body or mail text) through the read callback.
  void SetUploadBody(std::string body, bool post);
  // Response headers, one "Name: value" line each, as received.
  const std::string& response_headers() const { return response_headers_; }
  // The response body, up to 4 KiB (the rest is dropped).
  const std::string& response_body() const { return response_body_; }
  // Curl's human-readable error for the transfer.
  const char* error_buffer() const { return error_.data(); }

  // Called on the worker thread when the transfer ends.
  std::function<void(CurlTransfer&, CURLcode)> finished;

 private:
  static size_t Read(char* buffer, size_t size, size_t count, void* self);
  static size_t WriteHeader(char* buffer, size_t size, size_t count, void* self);
  static size_t WriteBody(char* buffer, size_t size, size_t count, void* self);

  CURL* easy_;
  curl_slist* headers_ = nullptr;
  curl_slist* recipients_ = nullptr;
  std::string body_;
  size_t body_offset_ = 0;
  std::string response_headers_;
  std::string response_body_;
  std::array<char, CURL_ERROR_SIZE> error_{};
};

class CurlWorker {
 public:
  // Starts the worker thread. `max_in_flight` >= 1 transfers run at once.
  static Result<std::unique_ptr<CurlWorker>> Create(size_t max_in_flight);
  // Stops the thread; unfinished transfers are dropped without a callback.
  ~CurlWorker();
  CurlWorker(const CurlWorker&) = delete;
  CurlWorker& operator=(const CurlWorker&) = delete;

  // Hands `transfer` to the worker.
  void Submit(std::unique_ptr<CurlTransfer> transfer);

 private:
  CurlWorker(CURLM* multi, size_t max_in_flight);
  void Run();

  CURLM* multi_;
  size_t max_in_flight_;
  std::mutex mutex_;
  std::deque<std::unique_ptr<CurlTransfer>> queue_;  // Guarded by mutex_.
  bool stopping_ = false;                            // Guarded by mutex_.
  std::thread thread_;
};

// The Retry-After header's delay in `headers` ("Retry-After: 120" or an HTTP
// date, relative to `now_unix`), clamped to >= 0; -1 if absent or unreadable.
long long RetryAfterSeconds(const std::string& headers, long long now_unix);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_CURL_CURL_WORKER_H_
