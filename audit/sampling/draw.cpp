#include "audit/sampling/draw.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::sampling {

namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int64_t ParseBound(std::string_view text, std::string_view whole) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw InputError("range '" + std::string(whole) + "' must look like LOW-HIGH with whole numbers");
  return value;
}

std::string RangeText(const Range& r) {
  return std::to_string(r.low) + "-" + std::to_string(r.high);
}

const char* DesignWord(DrawDesign d) {
  switch (d) {
    case DrawDesign::kSingleStage: return "single_stage";
    case DrawDesign::kSets: return "sets";
    case DrawDesign::kFrames: return "frames";
  }
  return "?";
}

}  // namespace

std::vector<Range> ParseRanges(std::string_view text, char separator) {
  std::vector<Range> ranges;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = TrimView(text.substr(start, end - start));
    // The '-' that splits LOW from HIGH is the first one after the first character, so a
    // negative LOW ("-5000-50000", "-100--1") parses as RAT-STATS accepts it.
    const size_t dash = part.find('-', 1);
    if (part.empty() || dash == std::string_view::npos)
      throw InputError("range '" + std::string(part) + "' must look like LOW-HIGH");
    Range r{ParseBound(TrimView(part.substr(0, dash)), part),
            ParseBound(TrimView(part.substr(dash + 1)), part)};
    ranges.push_back(r);
    start = end + 1;
  }
  return ranges;
}

std::string FrameDefinition(const DrawRequest& request) {
  const size_t k = request.ranges.size();
  switch (request.design) {
    case DrawDesign::kSingleStage:
      if (k != 1) throw InputError("a single-stage draw takes exactly one range");
      break;
    case DrawDesign::kSets:
      if (k < 2 || k > 4) throw InputError("sets of numbers take 2, 3 or 4 ranges (one per number)");
      break;
    case DrawDesign::kFrames:
      if (k < 1) throw InputError("a frame draw needs at least one frame");
      if (k > 10000) throw InputError("at most 10,000 frames");
      break;
  }
  std::string text = DesignWord(request.design);
  const char separator = request.design == DrawDesign::kFrames ? ';' : ',';
  for (size_t i = 0; i < k; ++i) {
    const Range& r = request.ranges[i];
    // RAT-STATS takes any whole-number bounds, negative lows included (value =
    // floor(u * size) + low); the magnitude limit keeps sums inside int64.
    if (r.low < -kMaxFrameValue || r.high > kMaxFrameValue)
      throw InputError("range " + RangeText(r) +
                       " must lie within -1000000000000 to 1000000000000");
    if (r.low > r.high)
      throw InputError("range " + RangeText(r) + " has LOW above HIGH");
    text += (i == 0 ? ' ' : separator);
    text += RangeText(r);
  }
  return text;
}

DrawResult Draw(RandomGenerator& generator, const DrawRequest& request) {
  DrawResult result;
  result.frame_definition = FrameDefinition(request);
  result.frame_sha256 = Sha256Hex(result.frame_definition);
  result.generator = generator.Name();
  result.generator_version = generator.Version();
  result.seed = generator.SeedText();
  result.request = request;
  if (const auto* ratstats = dynamic_cast<const RatStatsGenerator*>(&generator)) {
    const RatStatsSeed& seed = ratstats->Seed();
    if (seed.was_rounded)
      result.warnings.push_back("the seed was rounded to 2 decimals (" + seed.text +
                                "), as RAT-STATS does");
    if (const auto other = FindEquivalentRatStatsSeed(seed))
      result.warnings.push_back("seed " + other->text + " gives the same sample as seed " +
                                seed.text + ": RAT-STATS seeding has only 65,536 states");
  }

  const auto& ranges = request.ranges;
  const uint64_t max_count = generator.MaxCount();
  uint64_t frame_size = 0;
  std::vector<uint64_t> frame_ends;  // frames: cumulative sizes
  switch (request.design) {
    case DrawDesign::kSingleStage:
      frame_size = ranges[0].Size();
      break;
    case DrawDesign::kSets:
      frame_size = 1;
      for (const Range& r : ranges) {
        if (frame_size > (uint64_t{1} << 62) / r.Size())
          throw InputError("the sets' combined frame is too large (above 2^62 sets)");
        frame_size *= r.Size();
      }
      break;
    case DrawDesign::kFrames:
      for (const Range& r : ranges) {
        frame_size += r.Size();
        frame_ends.push_back(frame_size);
      }
      break;
  }
  const bool per_dimension = request.design == DrawDesign::kSets;
  if (per_dimension) {
    for (const Range& r : ranges)
      if (r.Size() > max_count)
        throw InputError("range " + RangeText(r) + " is too large for generator " + result.generator);
  } else if (frame_size > max_count) {
    throw InputError("the frame (" + std::to_string(frame_size) + " items) is too large for generator " +
                     result.generator);
  }
  result.frame_size = frame_size;

  if (request.count == 0) throw InputError("the sample size must be at least 1");
  const uint64_t total = request.count + request.spares;
  if (total < request.count || total > kMaxDrawCount)
    throw InputError("sample plus spares must not exceed " + std::to_string(kMaxDrawCount));
  if (total > frame_size)
    throw InputError("sample plus spares (" + std::to_string(total) +
                     ") exceed the frame size (" + std::to_string(frame_size) + ")");

  std::unordered_set<uint64_t> seen;
  seen.reserve(static_cast<size_t>(total) * 2);
  std::vector<DrawnItem> selected;
  selected.reserve(static_cast<size_t>(total));
  // A bound far above any realistic number of redraws, so a broken generator cannot hang.
  const uint64_t max_attempts = 1000 * total + 100'000'000;
  uint64_t attempts = 0;
  while (selected.size() < total) {
    if (++attempts > max_attempts)
      throw SystemError("random draw made no progress (too many duplicate redraws)");
    DrawnItem item;
    switch (request.design) {
      case DrawDesign::kSingleStage: {
        const uint64_t offset = generator.NextBelow(frame_size);
        item.values.push_back(ranges[0].low + static_cast<int64_t>(offset));
        item.position = offset + 1;
        break;
      }
      case DrawDesign::kSets: {
        // One draw per dimension, first dimension first; the mixed-radix index orders sets
        // lexicographically and identifies duplicates.
        uint64_t index = 0;
        for (const Range& r : ranges) {
          const uint64_t offset = generator.NextBelow(r.Size());
          item.values.push_back(r.low + static_cast<int64_t>(offset));
          index = index * r.Size() + offset;
        }
        item.position = index + 1;
        break;
      }
      case DrawDesign::kFrames: {
        const uint64_t r = generator.NextBelow(frame_size);  // 0-based position
        const auto it = std::upper_bound(frame_ends.begin(), frame_ends.end(), r);
        const auto f = static_cast<size_t>(it - frame_ends.begin());
        const uint64_t frame_start = f == 0 ? 0 : frame_ends[f - 1];
        item.values.push_back(ranges[f].low + static_cast<int64_t>(r - frame_start));
        item.frame = static_cast<uint32_t>(f + 1);
        item.position = r + 1;
        break;
      }
    }
    if (!seen.insert(item.position).second) continue;  // duplicate: redraw
    item.order = selected.size() + 1;
    selected.push_back(std::move(item));
  }

  result.sum.assign(per_dimension ? ranges.size() : 1, 0);
  for (const DrawnItem& item : selected)
    for (size_t d = 0; d < result.sum.size(); ++d) result.sum[d] += item.values[d];

  const auto split = selected.begin() + static_cast<std::ptrdiff_t>(request.count);
  result.sample.assign(selected.begin(), split);
  result.spares.assign(split, selected.end());
  std::sort(result.sample.begin(), result.sample.end(),
            [](const DrawnItem& a, const DrawnItem& b) { return a.position < b.position; });
  return result;
}

}  // namespace coderaudit::sampling
