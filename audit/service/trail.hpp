#pragma once
// The audit trail as services (audit/store/TRAIL.md has the scheme): recording events,
// showing them, verifying the chain in a store or in an exported file, and exporting an
// engagement's events as a self-verifying file.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/service/access.hpp"
#include "audit/store/trail_store.hpp"

namespace coderaudit::service {

// A flat JSON object for an event's before / after, keys in the order added.
class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, int64_t value);
  JsonObject& Raw(std::string_view key, std::string_view json);   // a JSON value as is
  std::string Text() const { return body_.empty() ? "{}" : "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;
};

// An event by `actor` now (NowIso).
store::TrailEvent MakeEvent(const Actor& actor, std::string action, std::string subject,
                            int64_t run_id = 0, std::string before = "{}", std::string after = "{}");
// Appends inside `db`'s open transaction, or in its own.
void Record(store::Store& db, const store::TrailEvent& event);
void Record(const std::string& db_path, const store::TrailEvent& event);
// "report.exported": a workbook written to `path` (its name, SHA-256 and size), for the
// engagement `run_id`.
void RecordExport(const std::string& db_path, const Actor& actor, std::string_view report,
                  int64_t run_id, const std::string& subject, const std::string& path);

// The result of checking a chain.
struct TrailCheck {
  bool ok = true;
  int64_t events = 0;              // events read
  int64_t head_seq = 0;            // the last event's seq and hash (0 / 64 zeros: none)
  std::string head_hash;
  int64_t first_bad = 0;           // the first bad event's seq (0: none)
  std::string problem;             // what is wrong with it, for people
  bool anchor_found = false;       // --expect-head: the anchored hash is in the chain
};

// Checks events in the order given (a file's or the store's): seq 1, 2, 3 ... with no
// gap, each prev_hash the previous event's hash, each hash the SHA-256 of the event's
// canonical form. An event with `content_withheld` (an export's placeholder for
// another engagement's event) is taken at its stated hash. With `expect_head`, the chain must
// contain an event with that hash (the head someone recorded earlier), so a cut tail is
// found. With `stored_head` (the store's head row), the chain must end there.
struct ChainEvent {
  store::StoredEvent event;
  bool content_withheld = false;
};
TrailCheck VerifyChain(const std::vector<ChainEvent>& events,
                       const std::optional<std::string>& expect_head,
                       const std::optional<std::pair<int64_t, std::string>>& stored_head);

TrailCheck VerifyTrail(const std::string& db_path, const std::optional<std::string>& expect_head,
                       const Actor& actor = Actor::Local());
// An exported file (ExportTrail): its events, and the head its header states.
TrailCheck VerifyTrailFile(const std::string& path, const std::optional<std::string>& expect_head);

// Events after `after_seq`, of engagement `run_id` (0: all), at most `limit` (0: all).
std::vector<store::StoredEvent> ShowTrail(const std::string& db_path, int64_t run_id,
                                          int64_t after_seq, int64_t limit,
                                          const Actor& actor = Actor::Local());

struct TrailExport {
  int64_t events = 0;        // events written whole
  int64_t withheld = 0;      // other engagements' events written as seq + hashes only
  int64_t head_seq = 0;
  std::string head_hash;
  std::string readme_path;   // how to verify, written beside the file
};
// Writes `path` (JSON lines: a header, then one line per event of the chain) and
// `path`.README.txt, both atomically, after verifying the store's chain (InputError when
// it is broken). With run_id, only that engagement's events are written whole (the check
// run, its score runs, samples and reports); the others as seq, prev_hash and hash, so
// the chain still verifies and nothing of other engagements is disclosed.
TrailExport ExportTrail(const std::string& db_path, int64_t run_id, const std::string& path,
                        const Actor& actor = Actor::Local());

// The verification script README.txt carries (Python 3, standard library only).
std::string_view TrailVerifyScript();

}  // namespace coderaudit::service
