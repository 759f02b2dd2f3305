#include "audit/sampling/rhc_selection.hpp"

#include <algorithm>
#include <unordered_set>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"
#include "audit/sampling/count_sum.hpp"
#include "audit/sampling/draw.hpp"

namespace coderaudit::sampling {

namespace {

// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void CheckFrame(const std::vector<RhcFramePrimary>& frame, int64_t groups, const std::string& source,
                int64_t& measure) {
  if (frame.size() < 2) throw InputError(source + ": an RHC selection needs a frame of at least 2 primaries");
  if (frame.size() > kMaxDrawCount)
    throw InputError(source + ": an RHC frame holds at most " + std::to_string(kMaxDrawCount) + " primaries");
  std::unordered_set<std::string> ids;
  for (const RhcFramePrimary& p : frame) {
    const std::string where = source + ":" + std::to_string(p.line) + ": ";
    if (p.id.empty()) throw InputError(where + "empty primary");
    if (!ids.insert(p.id).second) throw InputError(where + "primary " + p.id + " is listed twice");
    if (p.measure < 1) throw InputError(where + "primary " + p.id + ": its measure of size must be at least 1");
    AddCount(measure, p.measure, "the frame's measures");
  }
  if (measure > kMaxRhcMeasure)
    throw InputError(source + ": the measures add up to " + std::to_string(measure) + ", above 10^12");
  if (groups < 2 || groups > static_cast<int64_t>(frame.size()))
    throw InputError("the number of groups must be between 2 and the frame's " + std::to_string(frame.size()) +
                     " primaries");
}

}  // namespace

std::string RhcFrameText(const std::vector<RhcFramePrimary>& frame) {
  std::string out = "primary,measure\n";
  for (const RhcFramePrimary& p : frame) out += CsvField(p.id) + "," + std::to_string(p.measure) + "\n";
  return out;
}

RhcSelection SelectRhc(RandomGenerator& generator, std::vector<RhcFramePrimary> frame, int64_t groups,
                       const std::string& source) {
  RhcSelection s;
  CheckFrame(frame, groups, source, s.measure);
  s.generator = generator.Name();
  s.generator_version = generator.Version();
  s.seed = generator.SeedText();
  const auto m = static_cast<int64_t>(frame.size());

  DrawRequest order_request;
  order_request.ranges = {{1, m}};
  order_request.count = static_cast<uint64_t>(m);
  DrawResult order = Draw(generator, order_request);
  std::sort(order.sample.begin(), order.sample.end(),
            [](const DrawnItem& a, const DrawnItem& b) { return a.order < b.order; });

  const int64_t base = m / groups, larger = m % groups;
  size_t next = 0;
  for (int64_t g = 1; g <= groups; ++g) {
    RhcSelectedGroup group;
    group.number = g;
    const int64_t size = base + (g <= larger ? 1 : 0);
    for (int64_t k = 0; k < size; ++k)
      group.members.push_back(static_cast<size_t>(order.sample[next++].values[0] - 1));
    std::sort(group.members.begin(), group.members.end());
    for (size_t i : group.members) group.measure += frame[i].measure;
    group.draw = static_cast<int64_t>(generator.NextBelow(static_cast<uint64_t>(group.measure))) + 1;
    int64_t running = 0;
    for (size_t i : group.members) {
      running += frame[i].measure;
      if (running >= group.draw) {
        group.drawn = i;
        break;
      }
    }
    s.groups.push_back(std::move(group));
  }
  s.frame_sha256 = Sha256Hex(RhcFrameText(frame));
  s.frame = std::move(frame);
  return s;
}

std::vector<RhcGroup> RhcGroups(const RhcSelection& selection) {
  std::vector<RhcGroup> out;
  for (const RhcSelectedGroup& g : selection.groups) {
    RhcGroup r;
    r.id = std::to_string(g.number);
    r.primaries = static_cast<int64_t>(g.members.size());
    r.measure = g.measure;
    r.primary = selection.frame[g.drawn].id;
    r.primary_measure = selection.frame[g.drawn].measure;
    r.line = static_cast<uint32_t>(g.number + 1);
    out.push_back(std::move(r));
  }
  return out;
}

std::string RhcGroupsCsv(const RhcSelection& selection) {
  std::string out = "group,primaries,measure,primary,primary_measure\n";
  for (const RhcGroup& g : RhcGroups(selection))
    out += g.id + "," + std::to_string(g.primaries) + "," + std::to_string(g.measure) + "," + CsvField(g.primary) +
           "," + std::to_string(g.primary_measure) + "\n";
  return out;
}

}  // namespace coderaudit::sampling
