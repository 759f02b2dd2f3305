#include "audit/service/trail.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/io/output_file.hpp"
#include "audit/model/hash.hpp"
#include "audit/model/error.hpp"
#include "audit/service/service.hpp"
#include "audit/service/store_admin.hpp"

namespace coderaudit::service {

void JsonObject::Key(std::string_view key) {
  if (!body_.empty()) body_ += ',';
  body_ += store::JsonString(key);
  body_ += ':';
}

JsonObject& JsonObject::Str(std::string_view key, std::string_view value) {
  Key(key);
  body_ += store::JsonString(value);
  return *this;
}

JsonObject& JsonObject::Int(std::string_view key, int64_t value) {
  Key(key);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Raw(std::string_view key, std::string_view json) {
  Key(key);
  body_ += json;
  return *this;
}

store::TrailEvent MakeEvent(const Actor& actor, std::string action, std::string subject,
                            int64_t run_id, std::string before, std::string after) {
  store::TrailEvent e;
  e.at = NowIso();
  e.actor = actor.name;
  e.action = std::move(action);
  e.subject = std::move(subject);
  e.run_id = run_id;
  e.before = std::move(before);
  e.after = std::move(after);
  return e;
}

void Record(store::Store& db, const store::TrailEvent& event) { store::AppendEvent(db, event); }

void Record(const std::string& db_path, const store::TrailEvent& event) {
  store::Store db(db_path);
  store::AppendEvent(db, event);
}

void RecordExport(const std::string& db_path, const Actor& actor, std::string_view report,
                  int64_t run_id, const std::string& subject, const std::string& path) {
  const FileDigest digest = Sha256File(path);
  Record(db_path, MakeEvent(actor, "report.exported", subject, run_id, "{}",
                            JsonObject().Str("report", report).Str("file", path)
                                .Str("sha256", digest.sha256).Int("bytes", digest.bytes).Text()));
}

namespace {

// Opening a missing path would create an empty store, whose empty trail verifies.
const std::string& ExistingStore(const std::string& db_path) {
  RequireStore(db_path);
  return db_path;
}

std::string Seq(int64_t n) { return "event " + std::to_string(n); }

bool Intact(const ChainEvent& c) {
  return c.content_withheld || store::EventHash(c.event) == c.event.hash;
}

TrailCheck Bad(TrailCheck t, int64_t seq, std::string why) {
  t.ok = false;
  t.first_bad = seq;
  t.problem = std::move(why);
  return t;
}

}  // namespace

TrailCheck VerifyChain(const std::vector<ChainEvent>& events,
                       const std::optional<std::string>& expect_head,
                       const std::optional<std::pair<int64_t, std::string>>& stored_head) {
  TrailCheck t;
  t.events = static_cast<int64_t>(events.size());
  t.head_hash = std::string(store::kGenesisHash);
  std::string prev(store::kGenesisHash);
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& c = events[i];
    const auto& e = c.event;
    const int64_t want = static_cast<int64_t>(i) + 1;
    if (expect_head && e.prev_hash == *expect_head) t.anchor_found = true;
    if (e.seq != want) {
      if (e.seq > want)
        return Bad(t, want, Seq(want) + " is missing: the next event is " + Seq(e.seq) +
                                " (deleted)");
      return Bad(t, want, Seq(want) + " is out of place: found " + Seq(e.seq) +
                              " there (reordered or inserted)");
    }
    if (e.prev_hash != prev) {
      // Which side of the broken link is bad? An event whose prev_hash names the event
      // before its predecessor means its predecessor was inserted (and the events after
      // it renumbered); an intact event that committed to another hash for its
      // predecessor means the predecessor was changed and re-hashed.
      if (i >= 2 && e.prev_hash == events[i - 2].event.hash)
        return Bad(t, want - 1, Seq(want - 1) + " was inserted: " + Seq(want) +
                                    " follows " + Seq(want - 2) + " directly");
      if (i >= 1 && Intact(c))
        return Bad(t, want - 1, Seq(want - 1) + " was changed (its hash re-computed): " +
                                    Seq(want) + " records a different hash for it");
      return Bad(t, want, Seq(want) + " does not follow " + Seq(want - 1) +
                              ": its prev_hash is not that event's hash");
    }
    if (!Intact(c))
      return Bad(t, want, Seq(want) + " was changed: its content does not hash to its stored hash");
    prev = e.hash;
    t.head_seq = e.seq;
    t.head_hash = e.hash;
  }
  if (expect_head && t.head_hash == *expect_head) t.anchor_found = true;
  if (expect_head && !t.anchor_found)
    return Bad(t, t.head_seq + 1,
               "the expected head " + *expect_head +
                   " is not in the trail: events were removed from its end, or it was rewritten");
  if (stored_head && (stored_head->first != t.head_seq || stored_head->second != t.head_hash)) {
    if (stored_head->first > t.head_seq)
      return Bad(t, t.head_seq + 1,
                 "the trail ends at " + Seq(t.head_seq) + " but its head records " +
                     Seq(stored_head->first) + ": events were removed from its end");
    return Bad(t, stored_head->first + 1,
               "the trail's head records " + Seq(stored_head->first) + " (" +
                   stored_head->second.substr(0, 12) + "), not its last event " +
                   Seq(t.head_seq) + ": events were added or the head was changed outside the tool");
  }
  return t;
}

TrailCheck VerifyTrail(const std::string& db_path, const std::optional<std::string>& expect_head,
                       const Actor& actor) {
  Authorize(actor, Operation::kReadTrail);
  store::Store db(ExistingStore(db_path));
  std::vector<ChainEvent> chain;
  for (auto& e : store::LoadEvents(db)) chain.push_back({std::move(e), false});
  return VerifyChain(chain, expect_head, store::TrailHead(db));
}

namespace {

constexpr std::string_view kFormat = "coderaudit-trail-v1";

std::string EventLine(const store::StoredEvent& e, bool withheld) {
  JsonObject o;
  o.Int("seq", e.seq);
  if (withheld) {
    o.Raw("withheld", "true");
  } else {
    o.Str("at", e.at).Str("actor", e.actor).Str("action", e.action).Str("subject", e.subject);
    o.Int("run_id", e.run_id).Str("before", e.before).Str("after", e.after);
  }
  o.Str("prev_hash", e.prev_hash).Str("hash", e.hash);
  return o.Text();
}

}  // namespace

std::string_view TrailVerifyScript() {
  return R"(import hashlib, json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head, prev, n = json.loads(lines[0]), "0" * 64, 0
for n, line in enumerate(lines[1:], 1):
    e = json.loads(line)
    assert e["seq"] == n and e["prev_hash"] == prev, f"event {n}: not linked to event {n - 1}"
    if not e.get("withheld"):
        c = [1, n, e["at"], e["actor"], e["action"], e["subject"], e["run_id"], e["before"], e["after"], prev]
        c = json.dumps(c, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        assert hashlib.sha256(c).hexdigest() == e["hash"], f"event {n}: changed"
    prev = e["hash"]
assert (n, prev) == (head["head_seq"], head["head_hash"]), "the file does not end at its stated head"
print(f"ok: {n} events, head {prev}")
)";
}

TrailExport ExportTrail(const std::string& db_path, int64_t run_id, const std::string& path,
                        const Actor& actor) {
  Authorize(actor, Operation::kReadTrail);
  store::Store db(ExistingStore(db_path));
  auto events = store::LoadEvents(db);
  {
    std::vector<ChainEvent> chain;
    for (const auto& e : events) chain.push_back({e, false});
    const auto check = VerifyChain(chain, std::nullopt, store::TrailHead(db));
    if (!check.ok)
      throw InputError("the store's trail does not verify (" + check.problem +
                       "); export refused: run `coderaudit trail verify`");
  }
  // An engagement: the check run, the runs derived from it (score runs name it as parent,
  // re-scores and rebuttals their source), and events recorded against any of them.
  std::vector<int64_t> runs_in;
  if (run_id > 0) {
    runs_in.push_back(run_id);
    for (const auto& r : db.ListRuns())
      if (r.kind == "score" && r.parent_run_id == run_id) runs_in.push_back(r.run_id);
  }
  auto in_engagement = [&](const store::StoredEvent& e) {
    if (run_id <= 0) return true;
    return std::find(runs_in.begin(), runs_in.end(), e.run_id) != runs_in.end();
  };
  TrailExport out;
  std::string body;
  for (const auto& e : events) {
    const bool whole = in_engagement(e);
    (whole ? out.events : out.withheld) += 1;
    body += EventLine(e, !whole);
    body += '\n';
  }
  const auto [head_seq, head_hash] = store::TrailHead(db);
  out.head_seq = head_seq;
  out.head_hash = head_hash;
  const std::string name = std::filesystem::path(path).filename().string();
  JsonObject header;
  header.Str("format", kFormat)
      .Int("engagement", run_id)
      .Str("exported_at", NowIso())
      .Str("exported_by", actor.name)
      .Int("events", out.events)
      .Int("withheld", out.withheld)
      .Int("head_seq", head_seq)
      .Str("head_hash", head_hash)
      .Str("verify", "coderaudit trail verify --file " + name + " --expect-head " + head_hash +
                         "; or: python3 verify.py " + name + " (" + name + ".README.txt)");
  io::WriteFileAtomically(path, "trail export", header.Text() + '\n' + body);
  out.readme_path = path + ".README.txt";
  {
    std::ostringstream f;
    f << "coderaudit audit trail export: " << name << "\n\n"
      << "Each line after the first is one event of the store's hash chain, in order. An event's\n"
         "hash is the SHA-256 of the UTF-8 bytes of the JSON array\n"
         "  [1, seq, at, actor, action, subject, run_id, before, after, prev_hash]\n"
         "written without spaces (json.dumps(..., ensure_ascii=False, separators=(\",\", \":\"))),\n"
         "and its prev_hash is the hash of the event before it (64 zeros for event 1). Events of\n"
         "other engagements are withheld: only their seq, prev_hash and hash are here, so the\n"
         "chain still links. The first line states the head (last seq and hash) at export.\n\n"
         "Check it with coderaudit:\n"
         "  coderaudit trail verify --file "
      << name << " --expect-head " << head_hash
      << "\n\nor without it (Python 3, standard library): save the lines below as verify.py and run\n"
         "  python3 verify.py "
      << name
      << "\n\nA file someone cut short and re-headed still verifies: compare the head with one\n"
         "recorded elsewhere (the export's head hash above, sent separately, or\n"
         "`coderaudit trail verify --db STORE --expect-head HASH` against the live store).\n\n"
      << TrailVerifyScript();
    io::WriteFileAtomically(out.readme_path, "trail export README", f.str());
  }
  Record(db, MakeEvent(actor, "trail.exported", "file:" + name, run_id, "{}",
                       JsonObject().Int("events", out.events).Int("withheld", out.withheld)
                           .Int("head_seq", head_seq).Str("head_hash", head_hash).Text()));
  return out;
}

TrailCheck VerifyTrailFile(const std::string& path, const std::optional<std::string>& expect_head) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::string line;
  int64_t lineno = 0;
  std::vector<ChainEvent> chain;
  std::optional<std::pair<int64_t, std::string>> head;
  Poco::JSON::Parser parser;
  auto str = [&](const Poco::JSON::Object::Ptr& o, const char* k) {
    if (!o->has(k)) throw InputError(path + ":" + std::to_string(lineno) + ": no field '" + k + "'");
    return o->getValue<std::string>(k);
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    Poco::JSON::Object::Ptr o;
    try {
      parser.reset();
      o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
      throw InputError(path + ":" + std::to_string(lineno) + ": not a JSON object: " + e.displayText());
    }
    try {
      if (lineno == 1) {
        if (str(o, "format") != kFormat)
          throw InputError(path + ":1: not a coderaudit trail export (format)");
        head = std::make_pair(o->getValue<Poco::Int64>("head_seq"), str(o, "head_hash"));
        continue;
      }
      ChainEvent c;
      c.event.seq = o->getValue<Poco::Int64>("seq");
      c.event.prev_hash = str(o, "prev_hash");
      c.event.hash = str(o, "hash");
      c.content_withheld = o->has("withheld") && o->getValue<bool>("withheld");
      if (!c.content_withheld) {
        c.event.at = str(o, "at");
        c.event.actor = str(o, "actor");
        c.event.action = str(o, "action");
        c.event.subject = str(o, "subject");
        c.event.run_id = o->getValue<Poco::Int64>("run_id");
        c.event.before = str(o, "before");
        c.event.after = str(o, "after");
      }
      chain.push_back(std::move(c));
    } catch (const Poco::Exception& e) {
      throw InputError(path + ":" + std::to_string(lineno) + ": " + e.displayText());
    }
  }
  if (!head) throw InputError(path + ": empty; not a coderaudit trail export");
  return VerifyChain(chain, expect_head, head);
}

std::vector<store::StoredEvent> ShowTrail(const std::string& db_path, int64_t run_id,
                                          int64_t after_seq, int64_t limit, const Actor& actor) {
  Authorize(actor, Operation::kReadTrail);
  store::Store db(ExistingStore(db_path));
  std::vector<store::StoredEvent> out;
  for (auto& e : store::LoadEvents(db, after_seq)) {
    if (run_id > 0 && e.run_id != run_id) continue;
    out.push_back(std::move(e));
    if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) break;
  }
  return out;
}

}  // namespace coderaudit::service
