#include "audit/ingest/x12/x12_envelope.hpp"

#include <charconv>

namespace coderaudit::ingest::x12 {

namespace {

bool Digits(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Leading zeros do not matter in counts and control numbers ("000000905" == "905").
bool SameNumber(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view s) {
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    return s;
  };
  return Digits(a, 1, 20) && Digits(b, 1, 20) && strip(a) == strip(b);
}

// Printable, short: safe to quote in a reason (versions and transaction ids, not PHI).
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 20)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out + "'";
}

std::string TransactionName(std::string_view st01) {
  if (st01 == "835") return "an 835 remittance advice";
  if (st01 == "999") return "a 999 implementation acknowledgment";
  if (st01 == "997") return "a 997 functional acknowledgment";
  if (st01 == "277") return "a 277 claim status response";
  if (st01 == "276") return "a 276 claim status request";
  if (st01 == "270" || st01 == "271") return "a 270/271 eligibility transaction";
  if (st01 == "834") return "an 834 enrollment";
  return "transaction set " + Quote(st01);
}

// Why a GS08 version is not read, or "" when it is a 5010 837P/837I.
std::string VersionRefusal(std::string_view v) {
  if (v.starts_with("005010X222") || v.starts_with("005010X223")) return "";
  if (v.starts_with("004010X096") || v.starts_with("004010X098"))
    return "GS08 " + Quote(v) +
           " is a 4010 837 (X096 institutional / X098 professional): 4010 claims are not read, "
           "only 5010 837P (005010X222) and 837I (005010X223)";
  if (v.starts_with("005010X224")) return "GS08 " + Quote(v) + " is an 837D dental claim: not read";
  if (v.starts_with("005010X221")) return "GS08 " + Quote(v) + " is an 835 remittance advice, not a claim";
  if (v.starts_with("005010X231")) return "GS08 " + Quote(v) + " is a 999 acknowledgment, not a claim";
  if (v.starts_with("004010")) return "GS08 " + Quote(v) + " is a 4010 transaction: only 5010 837 claims are read";
  return "GS08 " + Quote(v) + " is not a 5010 837 claim version (005010X222 or 005010X223)";
}

TransactionKind KindOf(std::string_view v) {
  if (v.starts_with("005010X222")) return TransactionKind::kProfessional;
  if (v.starts_with("005010X223")) return TransactionKind::kInstitutional;
  return TransactionKind::kNone;
}

}  // namespace

std::string SegmentField(uint64_t ordinal, std::string_view id, std::string_view element) {
  std::string s = "segment " + std::to_string(ordinal);
  if (!IsValidSegmentId(id)) return s;  // a malformed id is not repeated back
  s += " ";
  s.append(id);
  s.append(element);
  return s;
}

void EnvelopeTracker::Problem(EnvelopeLevel level, uint64_t instance, const Segment& seg,
                              std::string element, std::string reason) {
  if (callbacks_.on_problem)
    callbacks_.on_problem(level, instance,
                          EnvelopeProblem{seg.ordinal, SegmentField(seg.ordinal, seg.Id(), element),
                                          std::move(reason)});
}

void EnvelopeTracker::CountMismatch(EnvelopeLevel level, uint64_t instance, const Segment& seg,
                                    std::string element, std::string reason) {
  if (verify_counts_) return Problem(level, instance, seg, std::move(element), std::move(reason));
  if (callbacks_.on_warning)
    callbacks_.on_warning(SegmentField(seg.ordinal, seg.Id(), element) + ": " + reason +
                          " (counts not verified)");
}

void EnvelopeTracker::CloseTransaction(const Segment* by, const char* why) {
  if (!st_open_) return;
  if (by) Problem(EnvelopeLevel::kTransaction, st_index_, *by, "",
                  std::string("transaction set starting at segment ") +
                      std::to_string(st_segment_) + " has no SE " + why);
  st_open_ = false;
  if (callbacks_.on_close) callbacks_.on_close(EnvelopeLevel::kTransaction, st_index_);
}

void EnvelopeTracker::CloseGroup(const Segment* by, const char* why) {
  CloseTransaction(by, why);
  if (!gs_open_) return;
  if (by) Problem(EnvelopeLevel::kGroup, gs_index_, *by, "",
                  std::string("functional group starting at segment ") +
                      std::to_string(gs_segment_) + " has no GE " + why);
  gs_open_ = false;
  if (callbacks_.on_close) callbacks_.on_close(EnvelopeLevel::kGroup, gs_index_);
}

void EnvelopeTracker::CloseInterchange(const Segment* by, const char* why) {
  CloseGroup(by, why);
  if (!isa_open_) return;
  if (by) Problem(EnvelopeLevel::kInterchange, isa_index_, *by, "",
                  std::string("interchange starting at segment ") + std::to_string(isa_segment_) +
                      " has no IEA " + why);
  isa_open_ = false;
  if (callbacks_.on_close) callbacks_.on_close(EnvelopeLevel::kInterchange, isa_index_);
}

void EnvelopeTracker::Feed(const Segment& seg) {
  was_envelope_ = false;
  const std::string_view id = seg.Id();
  const bool envelope = seg.isa || (seg.problem.empty() && (id == "GS" || id == "ST" || id == "SE" ||
                                                            id == "GE" || id == "IEA"));
  if (!envelope) {
    if (st_open_) {
      ++segments_in_st_;
    } else if (gs_open_) {
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "",
              "segment outside a transaction set (between ST/SE envelopes)");
    } else if (isa_open_) {
      Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "",
              "segment outside a functional group (between GS/GE envelopes)");
    }
    // Outside every interchange: the reader reports it (no instance to attach it to).
    return;
  }
  was_envelope_ = true;

  if (seg.isa) {
    CloseInterchange(&seg, "before the next ISA");
    ++isa_index_;
    isa_open_ = true;
    isa_segment_ = seg.ordinal;
    groups_in_isa_ = 0;
    gs_controls_seen_.clear();
    isa_control_ = std::string(seg.Element(13));
    if (!seg.problem.empty())
      Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "", seg.problem);
    if (!Digits(isa_control_, 9, 9))
      Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "13",
              "ISA13 interchange control number must be 9 digits");
    else if (!isa_controls_seen_.insert(isa_control_).second)
      Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "13",
              "ISA13 repeats the control number of an earlier interchange in this file");
    return;
  }

  if (id == "GS") {
    CloseGroup(&seg, "before the next GS");
    ++gs_index_;
    gs_open_ = true;
    gs_segment_ = seg.ordinal;
    sets_in_gs_ = 0;
    st_controls_seen_.clear();
    gs_control_ = std::string(seg.Element(6));
    gs_version_ = std::string(seg.Element(8));
    if (!isa_open_) {
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "", "GS outside an interchange (no ISA before it)");
    } else {
      ++groups_in_isa_;
    }
    if (!Digits(gs_control_, 1, 9))
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "06",
              "GS06 group control number must be 1-9 digits");
    else if (!gs_controls_seen_.insert(gs_control_).second)
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "06",
              "GS06 repeats the control number of an earlier group in this interchange");
    if (auto why = VersionRefusal(gs_version_); !why.empty())
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "08", why);
    return;
  }

  if (id == "ST") {
    CloseTransaction(&seg, "before the next ST");
    ++st_index_;
    st_open_ = true;
    st_segment_ = seg.ordinal;
    segments_in_st_ = 1;
    st_control_ = std::string(seg.Element(2));
    const std::string_view st03 = seg.Element(3);
    kind_ = KindOf(st03.empty() ? std::string_view(gs_version_) : st03);
    const bool group_refused = gs_open_ && !VersionRefusal(gs_version_).empty();
    if (!gs_open_) {
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "",
              "ST outside a functional group (no GS before it)");
    } else {
      ++sets_in_gs_;
    }
    if (seg.Element(1) != "837") {
      if (!group_refused)
        Problem(EnvelopeLevel::kTransaction, st_index_, seg, "01",
                "ST01: " + TransactionName(seg.Element(1)) + ", not an 837 claim");
      kind_ = TransactionKind::kNone;
    } else if (!group_refused && gs_open_ && !st03.empty() && st03 != gs_version_) {
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "03",
              "ST03 implementation guide differs from GS08");
    } else if (!group_refused && !st03.empty() && KindOf(st03) == TransactionKind::kNone) {
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "03", VersionRefusal(st03));
    }
    if (group_refused) kind_ = TransactionKind::kNone;
    if (!Digits(st_control_, 4, 9))
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "02",
              "ST02 transaction set control number must be 4-9 digits");
    else if (!st_controls_seen_.insert(st_control_).second)
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "02",
              "ST02 repeats the control number of an earlier transaction set in this group");
    return;
  }

  if (id == "SE") {
    if (!st_open_) {
      if (gs_open_)
        Problem(EnvelopeLevel::kGroup, gs_index_, seg, "", "SE without a matching ST");
      else if (isa_open_)
        Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "", "SE without a matching ST");
      return;
    }
    ++segments_in_st_;
    const std::string_view se01 = seg.Element(1);
    if (!SameNumber(se01, std::to_string(segments_in_st_)))
      CountMismatch(EnvelopeLevel::kTransaction, st_index_, seg, "01",
                    "SE01 segment count " + std::string(Digits(se01, 1, 10) ? se01 : "(not a number)") +
                        " does not match the " + std::to_string(segments_in_st_) +
                        " segments from ST to SE");
    if (seg.Element(2) != st_control_)
      Problem(EnvelopeLevel::kTransaction, st_index_, seg, "02",
              "SE02 control number does not match ST02 (segment " + std::to_string(st_segment_) + ")");
    CloseTransaction(nullptr, "");
    return;
  }

  if (id == "GE") {
    if (!gs_open_) {
      if (isa_open_) Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "", "GE without a matching GS");
      return;
    }
    CloseTransaction(&seg, "before GE");
    const std::string_view ge01 = seg.Element(1);
    if (!SameNumber(ge01, std::to_string(sets_in_gs_)))
      CountMismatch(EnvelopeLevel::kGroup, gs_index_, seg, "01",
                    "GE01 transaction set count " +
                        std::string(Digits(ge01, 1, 10) ? ge01 : "(not a number)") +
                        " does not match the " + std::to_string(sets_in_gs_) + " ST in the group");
    if (!SameNumber(seg.Element(2), gs_control_))
      Problem(EnvelopeLevel::kGroup, gs_index_, seg, "02",
              "GE02 control number does not match GS06 (segment " + std::to_string(gs_segment_) + ")");
    CloseGroup(nullptr, "");
    return;
  }

  // IEA
  if (!isa_open_) return;  // stray: reported by the reader
  CloseGroup(&seg, "before IEA");
  const std::string_view iea01 = seg.Element(1);
  if (!SameNumber(iea01, std::to_string(groups_in_isa_)))
    CountMismatch(EnvelopeLevel::kInterchange, isa_index_, seg, "01",
                  "IEA01 group count " + std::string(Digits(iea01, 1, 10) ? iea01 : "(not a number)") +
                      " does not match the " + std::to_string(groups_in_isa_) +
                      " GS in the interchange");
  if (seg.Element(2) != isa_control_)
    Problem(EnvelopeLevel::kInterchange, isa_index_, seg, "02",
            "IEA02 control number does not match ISA13 (segment " + std::to_string(isa_segment_) + ")");
  CloseInterchange(nullptr, "");
}

void EnvelopeTracker::Finish(uint64_t last_segment) {
  auto report = [&](EnvelopeLevel level, uint64_t instance, const char* what, uint64_t start,
                    const char* missing) {
    if (callbacks_.on_problem)
      callbacks_.on_problem(
          level, instance,
          EnvelopeProblem{last_segment, "end of file",
                          std::string("the file ends inside the ") + what +
                              " starting at segment " + std::to_string(start) + " (no " +
                              missing + "): truncated?"});
  };
  if (st_open_) report(EnvelopeLevel::kTransaction, st_index_, "transaction set", st_segment_, "SE");
  if (gs_open_) report(EnvelopeLevel::kGroup, gs_index_, "functional group", gs_segment_, "GE");
  if (isa_open_) report(EnvelopeLevel::kInterchange, isa_index_, "interchange", isa_segment_, "IEA");
  CloseInterchange(nullptr, "");
}

}  // namespace coderaudit::ingest::x12
