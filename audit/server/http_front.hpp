#pragma once
// The connection layer of `coderaudit serve` over plain HTTP: one thread watches every
// connection with Poco::Net::PollSet (epoll) and reads each request whole (head, then
// Content-Length body) before a worker thread sees it. Idle, slow and vanishing clients
// therefore cost a file descriptor and a buffer, never a worker: 10,000 idle connections
// or a byte-a-second sender leave the workers serving everyone else.
//
// Limits: request head (64 KiB), body (max_body: 413), header fields (Poco's parser: 100),
// a request must arrive whole within request_timeout of its first byte (408), an idle
// keep-alive connection is closed after keep_alive_timeout, at most max_connections are
// open (the longest idle is closed to make room), at most `queue` whole requests wait for
// a worker (503 beyond). Chunked bodies are refused (411: send Content-Length).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace Poco::Net {
class HTTPRequest;
class ServerSocket;
}  // namespace Poco::Net

namespace coderaudit::server {

struct FrontOptions {
  int workers = 8;
  size_t queue = 256;                 // whole requests waiting for a worker
  size_t max_body = 10u << 20;
  size_t max_head = 64u << 10;
  size_t max_connections = 16000;     // also bounded by RLIMIT_NOFILE
  int request_timeout_s = 30;
  int keep_alive_timeout_s = 10;
};

// Answers one whole request: returns the serialized HTTP response (status line, headers,
// body) and sets `close` when the connection must be closed after it.
using Responder = std::function<std::string(const Poco::Net::HTTPRequest& request,
                                            const std::string& body, bool& close)>;
// A response the front itself gives (408, 411, 413, 431, 400, 503): status and message.
using ErrorResponder = std::function<std::string(int status, const std::string& message)>;

class HttpFront {
 public:
  HttpFront(Poco::Net::ServerSocket& listener, FrontOptions options, Responder respond,
            ErrorResponder error);
  ~HttpFront();  // Stop()
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  void Start();
  // Stops accepting, lets the workers finish the requests they hold, closes every connection.
  void Stop();
  size_t Connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::server
