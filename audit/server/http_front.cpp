#include "audit/server/http_front.hpp"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/PollSet.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string_view>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

namespace coderaudit::server {

namespace {

using Clock = std::chrono::steady_clock;
using Poco::Net::PollSet;

// One client connection. The reactor thread owns it except while `busy`: then one worker
// holds it, and the reactor neither reads it nor closes it.
struct Conn {
  explicit Conn(Poco::Net::StreamSocket s) : socket(std::move(s)), fd(socket.impl()->sockfd()) {}
  Poco::Net::StreamSocket socket;
  poco_socket_t fd;
  std::string in;                  // received, not yet answered
  Clock::time_point last{};        // last byte received or answer sent
  Clock::time_point started{};     // first byte of the request being received
  bool receiving = false;          // part of a request has arrived
  std::atomic<bool> busy{false};
  // The request being received: its parsed head once the head is whole (head_len > 0), and
  // the lengths to consume. `scanned`: bytes of `in` already searched for the head's end.
  std::unique_ptr<Poco::Net::HTTPRequest> request;
  size_t head_len = 0, body_len = 0, scanned = 0;
};

size_t OpenFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  // Raise the soft limit to the hard one: connections are cheap here, descriptors are the cap.
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return static_cast<size_t>(r.rlim_cur);
}

}  // namespace

struct HttpFront::Impl {
  Poco::Net::ServerSocket& listener;
  FrontOptions opt;
  Responder respond;
  ErrorResponder error;

  PollSet poll;
  std::unordered_map<poco_socket_t, std::unique_ptr<Conn>> conns;  // reactor thread only
  std::atomic<size_t> open{0};
  std::thread reactor;
  std::vector<std::thread> workers;
  std::atomic<bool> running{false};

  std::mutex mu;
  std::condition_variable work;
  std::deque<Conn*> ready;            // whole requests waiting for a worker
  std::deque<poco_socket_t> closing;  // connections workers finished with
  bool stopping = false;

  Impl(Poco::Net::ServerSocket& l, FrontOptions o, Responder r, ErrorResponder e)
      : listener(l), opt(o), respond(std::move(r)), error(std::move(e)) {}

  void ReactorLoop();
  void Accept(Clock::time_point now);
  void Read(Conn& c, Clock::time_point now);
  void Judge(Conn& c, Clock::time_point now);
  void Fail(Conn& c, int status, const std::string& message);
  void Close(poco_socket_t fd);
  void Sweep(Clock::time_point now);
  void WorkerLoop();
  void Serve(Conn& c);
  bool SendAll(Conn& c, const std::string& bytes);
};

void HttpFront::Impl::ReactorLoop() {
  auto next_sweep = Clock::now();
  while (running.load()) {
    PollSet::SocketModeMap events;
    try {
      events = poll.poll(Poco::Timespan(0, 100 * 1000));
    } catch (const Poco::Exception&) {
      continue;
    }
    const auto now = Clock::now();
    for (const auto& [socket, mode] : events) {
      if (socket == listener) {
        Accept(now);
        continue;
      }
      const auto it = conns.find(socket.impl()->sockfd());
      if (it == conns.end() || it->second->busy.load(std::memory_order_acquire)) continue;
      Read(*it->second, now);
    }
    std::deque<poco_socket_t> done;
    {
      std::lock_guard lock(mu);
      done.swap(closing);
    }
    for (poco_socket_t fd : done) Close(fd);
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + std::chrono::milliseconds(100);
    }
  }
}

void HttpFront::Impl::Accept(Clock::time_point now) {
  for (;;) {
    Poco::Net::StreamSocket s;
    try {
      s = listener.acceptConnection();
    } catch (const Poco::Exception&) {
      return;  // nothing more to accept now (or out of descriptors: the sweep frees some)
    }
    if (conns.size() >= opt.max_connections) {
      // Make room by closing the connection idle the longest; a newcomer is likelier to be
      // a client with a request than one that has sat silent.
      Conn* oldest = nullptr;
      for (auto& [fd, c] : conns)
        if (!c->busy.load(std::memory_order_acquire) && !c->receiving &&
            (!oldest || c->last < oldest->last))
          oldest = c.get();
      if (!oldest) continue;  // everyone is mid-request: refuse the newcomer (s closes)
      Close(oldest->fd);
    }
    try {
      s.setBlocking(false);
      s.setNoDelay(true);
    } catch (const Poco::Exception&) {
      continue;
    }
    auto c = std::make_unique<Conn>(std::move(s));
    c->last = now;
    poll.add(c->socket, PollSet::POLL_READ);
    conns.emplace(c->fd, std::move(c));
    open.store(conns.size());
  }
}

void HttpFront::Impl::Read(Conn& c, Clock::time_point now) {
  char buf[16384];
  const size_t cap = opt.max_head + opt.max_body + 1;
  for (;;) {
    int n = 0;
    try {
      n = c.socket.receiveBytes(buf, sizeof buf);
    } catch (const Poco::Exception&) {
      Close(c.fd);  // reset by the peer
      return;
    }
    if (n < 0) break;  // nothing more for now
    if (n == 0) {
      Close(c.fd);  // the client went away (mid-request or not): nothing to answer
      return;
    }
    if (!c.receiving) {
      c.receiving = true;
      c.started = now;
    }
    c.last = now;
    c.in.append(buf, static_cast<size_t>(n));
    if (c.in.size() > cap) break;  // Judge refuses it
  }
  Judge(c, now);
}

void HttpFront::Impl::Judge(Conn& c, Clock::time_point) {
  if (c.head_len == 0) {
    // Search only what arrived since the last look: a head trickled in byte by byte costs
    // linear time, not quadratic.
    const size_t from = c.scanned > 3 ? c.scanned - 3 : 0;
    const size_t end = c.in.find("\r\n\r\n", from);
    c.scanned = c.in.size();
    if (end == std::string::npos) {
      if (c.in.size() > opt.max_head)
        Fail(c, 431, "the request head is larger than " + std::to_string(opt.max_head) + " bytes");
      return;
    }
    const size_t head_len = end + 4;
    if (head_len > opt.max_head)
      return Fail(c, 431, "the request head is larger than " + std::to_string(opt.max_head) + " bytes");
    auto request = std::make_unique<Poco::Net::HTTPRequest>();
    try {
      std::istringstream head(c.in.substr(0, head_len));
      request->read(head);
    } catch (const Poco::Exception&) {
      return Fail(c, 400, "malformed request head");
    }
    if (request->getVersion() != Poco::Net::HTTPMessage::HTTP_1_1 &&
        request->getVersion() != Poco::Net::HTTPMessage::HTTP_1_0)
      return Fail(c, 400, "not an HTTP/1.0 or HTTP/1.1 request");
    if (request->getChunkedTransferEncoding())
      return Fail(c, 411, "send the body with a Content-Length (chunked bodies are not accepted)");
    int64_t length = 0;
    if (request->hasContentLength()) {
      try {
        length = request->getContentLength64();
      } catch (const Poco::Exception&) {
        return Fail(c, 400, "malformed Content-Length");
      }
    }
    if (length < 0) return Fail(c, 400, "malformed Content-Length");
    if (static_cast<uint64_t>(length) > opt.max_body)
      return Fail(c, 413, "the body is larger than " + std::to_string(opt.max_body) + " bytes");
    // curl and others wait for "100 Continue" before sending a larger body.
    if (length > 0 && c.in.size() < head_len + static_cast<size_t>(length) &&
        Poco::icompare(request->get("Expect", ""), "100-continue") == 0) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      try {
        c.socket.sendBytes(kContinue.data(), static_cast<int>(kContinue.size()));
      } catch (const Poco::Exception&) {
      }
    }
    c.request = std::move(request);
    c.head_len = head_len;
    c.body_len = static_cast<size_t>(length);
  }
  if (c.in.size() < c.head_len + c.body_len) return;  // the rest is on its way
  poll.remove(c.socket);
  c.busy.store(true, std::memory_order_release);
  bool queued = false;
  {
    std::lock_guard lock(mu);
    if (ready.size() < opt.queue) {
      ready.push_back(&c);
      queued = true;
    }
  }
  if (queued) {
    work.notify_one();
    return;
  }
  c.busy.store(false, std::memory_order_release);
  Fail(c, 503, "the server is busy; try again shortly");
}

void HttpFront::Impl::Fail(Conn& c, int status, const std::string& message) {
  // Best effort: the answer is small, the socket non-blocking; then the connection closes.
  const std::string bytes = error(status, message);
  try {
    c.socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const Poco::Exception&) {
  }
  Close(c.fd);
}

void HttpFront::Impl::Close(poco_socket_t fd) {
  const auto it = conns.find(fd);
  if (it == conns.end()) return;
  try {
    poll.remove(it->second->socket);
  } catch (const Poco::Exception&) {
  }
  conns.erase(it);  // the socket closes with it
  open.store(conns.size());
}

void HttpFront::Impl::Sweep(Clock::time_point now) {
  const auto request_limit = std::chrono::seconds(opt.request_timeout_s);
  const auto idle_limit = std::chrono::seconds(opt.keep_alive_timeout_s);
  std::vector<Conn*> late, idle;
  for (auto& [fd, c] : conns) {
    if (c->busy.load(std::memory_order_acquire)) continue;
    if (c->receiving && now - c->started > request_limit) late.push_back(c.get());
    else if (!c->receiving && now - c->last > idle_limit) idle.push_back(c.get());
  }
  for (Conn* c : late)
    Fail(*c, 408, "the request did not arrive whole within " +
                      std::to_string(opt.request_timeout_s) + " s");
  for (Conn* c : idle) Close(c->fd);
}

void HttpFront::Impl::WorkerLoop() {
  for (;;) {
    Conn* c = nullptr;
    {
      std::unique_lock lock(mu);
      work.wait(lock, [&] { return stopping || !ready.empty(); });
      if (ready.empty()) return;  // stopping, and nothing left to answer
      c = ready.front();
      ready.pop_front();
    }
    Serve(*c);
  }
}

void HttpFront::Impl::Serve(Conn& c) {
  bool close = false;
  std::string answer;
  try {
    const std::string body = c.in.substr(c.head_len, c.body_len);
    answer = respond(*c.request, body, close);
  } catch (const std::exception&) {
    answer = error(500, "internal error; the request was not completed");
    close = true;
  }
  c.in.erase(0, c.head_len + c.body_len);
  if (!c.request->getKeepAlive()) close = true;
  c.request.reset();
  c.head_len = c.body_len = c.scanned = 0;
  if (!SendAll(c, answer)) close = true;
  // A client that pipelines a second request before reading the first answer is not served
  // further: close after answering (no known billing client does; it keeps this simple).
  if (!c.in.empty()) close = true;
  if (close) {
    {
      std::lock_guard lock(mu);
      closing.push_back(c.fd);
    }
    return;  // still busy: the reactor closes it without reading it again
  }
  c.receiving = false;
  c.last = Clock::now();
  c.busy.store(false, std::memory_order_release);
  poll.add(c.socket, PollSet::POLL_READ);
}

bool HttpFront::Impl::SendAll(Conn& c, const std::string& bytes) {
  const auto deadline = Clock::now() + std::chrono::seconds(opt.request_timeout_s);
  size_t sent = 0;
  while (sent < bytes.size()) {
    int n = 0;
    try {
      n = c.socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    } catch (const Poco::Exception&) {
      return false;
    }
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    // The client reads slower than we write: wait for room, up to the request timeout.
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    try {
      c.socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_WRITE);
    } catch (const Poco::Exception&) {
      return false;
    }
  }
  return true;
}

HttpFront::HttpFront(Poco::Net::ServerSocket& listener, FrontOptions options, Responder respond,
                     ErrorResponder error)
    : impl_(std::make_unique<Impl>(listener, options, std::move(respond), std::move(error))) {
  const size_t fds = OpenFileLimit();
  auto& o = impl_->opt;
  // Descriptors left for the store, tables, logs and the listener.
  o.max_connections = std::min(o.max_connections, fds > 128 ? fds - 128 : size_t{16});
}

HttpFront::~HttpFront() { Stop(); }

void HttpFront::Start() {
  auto& i = *impl_;
  i.listener.setBlocking(false);
  i.poll.add(i.listener, PollSet::POLL_READ);
  i.running = true;
  for (int w = 0; w < i.opt.workers; ++w) i.workers.emplace_back([&i] { i.WorkerLoop(); });
  i.reactor = std::thread([&i] { i.ReactorLoop(); });
}

void HttpFront::Stop() {
  auto& i = *impl_;
  if (!i.running.exchange(false)) return;
  i.reactor.join();
  {
    std::lock_guard lock(i.mu);
    i.stopping = true;
  }
  i.work.notify_all();
  for (auto& t : i.workers) t.join();  // requests already whole are answered first
  i.workers.clear();
  i.conns.clear();
  i.open.store(0);
}

size_t HttpFront::Connections() const { return impl_->open.load(); }

}  // namespace coderaudit::server
