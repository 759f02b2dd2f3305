#pragma once
// The browser application of `coderaudit serve` (issue 14): the pages in web/ (embedded in
// the binary at build time) under /app/, and their JSON API under /app/api/ over the
// audit workflow services (audit/service/audit_workflow.hpp).
//
// Sessions: POST /app/api/session (name + password -> service::Login) sets a cookie
// holding a random 256-bit id; the server keeps only its SHA-256, the user's actor, a
// per-session CSRF token, and the times for the idle (30 min) and absolute (12 h) expiry.
// The cookie is HttpOnly, SameSite=Strict, Path=/app, and Secure under TLS. Every request
// that changes something must carry the session's token in X-CSRF-Token (the login
// itself: X-Requested-With, which a cross-site form cannot send) and, when the browser
// sends an Origin, one naming this server. Every page is served with a strict
// Content-Security-Policy (scripts and styles from this server only, no inline script,
// frame-ancestors 'none').
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPRequest;
}
namespace coderaudit::refdata {
class RefData;
}

namespace coderaudit::server {

struct WebReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WebOptions {
  std::string db_path;
  bool tls = false;                 // cookies get Secure
  int idle_minutes = 30;
  int absolute_hours = 12;
  bool refdata = false;             // a refdata dir was given to serve
};

class WebApp {
 public:
  explicit WebApp(WebOptions options);
  ~WebApp();
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;

  // Whether the request path belongs to the browser application ("/" and /app...).
  static bool Owns(const std::string& path);
  // Never throws: errors are JSON replies ({"error": {"code", "message"}}).
  // `tables`: the reference tables of the server's current rule snapshot (null: none),
  // for the auditor's code look-up.
  WebReply Handle(const Poco::Net::HTTPRequest& request, const std::string& body,
                  const refdata::RefData* tables);
  // The headers every reply of the application carries (CSP and friends).
  static const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderaudit::server
