#pragma once
// `coderaudit serve`: the HTTP front end (Poco::Net) over the service layer in
// audit/service. Rules are compiled and tables mapped once, into a snapshot that reload
// swaps atomically; every request keeps the snapshot it started with. See README.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "audit/model/hold.hpp"

namespace coderaudit::server {

struct ServerOptions {
  std::string rules_path;
  std::string refdata_dir;
  std::string db_path;                  // runs and API tokens; "" = no store
  std::string listen = "127.0.0.1:8080";   // host:port; port 0 = any free port
  int threads = 8;                      // request threads
  int queue = 256;                      // whole requests waiting for a thread (503 above)
  size_t max_connections = 16000;       // open connections (plain HTTP; the longest idle
                                        // is closed to make room); also RLIMIT_NOFILE
  std::string cert_path, key_path;      // both: TLS (PEM)
  size_t max_body = 10u << 20;          // bytes (413 above)
  size_t max_batch = 1000;              // claims per POST /v1/check (413 above: POST /v1/runs)
  size_t max_headers = 64;              // header fields per request (431 above)
  int request_timeout_s = 30;           // whole request read; also the socket idle timeout
  int keep_alive_timeout_s = 10;
  HoldPolicy hold = HoldPolicy::Default();
  bool auth = true;                     // false only with --no-auth on loopback
  std::ostream* access_log = nullptr;   // one JSON line per request; null = none
  size_t job_workers = 1;               // POST /v1/runs workers
  size_t job_queue = 16;                // waiting batches (503 above)
};

class Server {
 public:
  // Compiles the rule set and maps the tables; throws RuleSetError / InputError.
  explicit Server(ServerOptions options);
  ~Server();   // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void Start();                 // binds and serves on background threads
  uint16_t Port() const;        // the bound port (after Start)
  // Stops accepting, lets requests in flight and queued batches finish, then returns.
  void Stop();
  // Compiles the rule set and tables again and swaps them in; requests in flight finish
  // with the old ones. Throws (and keeps the old snapshot) when the new set is invalid.
  // Returns the new rule set hash.
  std::string Reload();
  std::string RulesetHash() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::server
