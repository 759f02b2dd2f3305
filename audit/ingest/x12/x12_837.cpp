#include "audit/ingest/x12/x12_837.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include "audit/ingest/mapping/field_checks.hpp"
#include "audit/ingest/x12/x12_envelope.hpp"
#include "audit/ingest/x12/x12_segments.hpp"
#include "audit/model/error.hpp"
#include "audit/model/hash.hpp"

namespace coderaudit::ingest {

namespace {

using x12::Component;
using x12::EnvelopeLevel;
using x12::EnvelopeProblem;
using x12::EnvelopeTracker;
using x12::Segment;
using x12::SegmentField;
using x12::SegmentReader;
using x12::TransactionKind;

constexpr size_t kMaxRawKept = 512;
constexpr size_t kMaxBrokenEnvelopes = 100000;  // beyond this the file is not claims
constexpr size_t kMaxServiceLines = 999;        // 837I allows 999, 837P 50
constexpr size_t kMaxCodes = 999;               // seq is 1-999 in the model

uint32_t LineOf(uint64_t ordinal) {
  return ordinal > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                        : static_cast<uint32_t>(ordinal);
}

std::string Raw(const Segment& seg) {
  return seg.text.substr(0, seg.text.size() < kMaxRawKept ? seg.text.size() : kMaxRawKept);
}

bool IsEnvelope(const Segment& seg) {
  if (seg.isa) return true;
  if (!seg.problem.empty()) return false;
  const auto id = seg.Id();
  return id == "GS" || id == "ST" || id == "SE" || id == "GE" || id == "IEA";
}

std::string TwoDigits(size_t i) { return (i < 10 ? "0" : "") + std::to_string(i); }

// First pass result: the first problem of every broken envelope instance.
struct Verdict {
  EnvelopeProblem problem;
  bool used = false;  // reported on at least one claim
};
using Verdicts = std::array<std::unordered_map<uint64_t, Verdict>, 3>;

Verdicts CheckEnvelopes(std::istream& in, const std::string& file, const IngestSink& sink,
                        const X12Options& options) {
  Verdicts verdicts;
  size_t broken = 0;
  EnvelopeTracker::Callbacks callbacks;
  callbacks.on_problem = [&](EnvelopeLevel level, uint64_t instance, EnvelopeProblem&& p) {
    auto& map = verdicts[static_cast<size_t>(level)];
    if (map.count(instance)) return;
    if (++broken > kMaxBrokenEnvelopes)
      throw InputError(file + ": more than " + std::to_string(kMaxBrokenEnvelopes) +
                       " broken X12 envelopes; this is not a claims file");
    map.emplace(instance, Verdict{std::move(p), false});
  };
  callbacks.on_warning = [&](const std::string& w) {
    if (sink.on_warning) sink.on_warning(file + ": " + w);
  };
  EnvelopeTracker tracker(options.verify_counts, std::move(callbacks));
  SegmentReader reader(in);
  Segment seg;
  uint64_t last = 0;
  bool first = true;
  while (reader.Next(seg)) {
    if (first && !seg.isa)
      throw InputError(file + ": not an X12 interchange: the file does not start with an ISA header");
    if (first && seg.fatal)  // no delimiters, nothing can be read
      throw InputError(file + ": " + seg.problem.substr(0, seg.problem.find(';')));
    first = false;
    if (seg.fatal) break;
    last = seg.ordinal;
    tracker.Feed(seg);
  }
  if (first) throw InputError(file + ": empty X12 file (no ISA interchange header)");
  tracker.Finish(last);
  return verdicts;
}

struct Problem {
  uint64_t segment = 0;
  std::string field, reason, raw;
};

struct Person {
  std::string id;  // NM109
  std::string last, first;
  std::optional<Date> birth;
  std::optional<Sex> sex;
  uint64_t nm1_segment = 0;
  bool has_dmg = false;
};

struct HlNode {
  uint64_t id = 0;
  uint64_t segment = 0;
  bool has_children = false;
  std::optional<Problem> error;
};

struct LineState {
  CodedLine line;
  uint64_t lx_segment = 0;
  uint64_t date_segment = 0;
  std::optional<Date> start, end;
  bool has_service = false;
  bool coded = false;  // SV2 without a HCPCS code is a revenue-only line, not a coded line
};

struct Claim {
  uint64_t segment = 0;
  std::string raw;
  int parent_level = 0;  // 22 or 23
  Encounter enc;
  std::optional<Problem> error;
  bool in_other_subscriber = false;  // 2320/2330 loops (after SBR): other payers' data
  std::optional<LineState> line;
  std::vector<CodedLine> service_lines;
  std::vector<uint64_t> date_segments;  // parallel to service_lines
  std::optional<Date> line_min, line_max;
  std::optional<Date> statement_from, statement_to, admission, discharge;
  uint64_t statement_segment = 0, hi_segment = 0, cl1_segment = 0, drg_segment = 0;
  std::optional<CodedLine> principal_dx, principal_pcs;
  std::vector<CodedLine> other_dx, other_pcs;
  bool dx_icd9 = false, dx_icd10 = false;
  size_t code_count = 0;
  size_t line_count = 0;
};

class Reader837 {
 public:
  Reader837(const std::string& file, const IngestSink& sink, Verdicts& verdicts)
      : file_(file), sink_(sink), verdicts_(verdicts) {}

  IngestCounts Run(std::istream& in, const X12Options& options) {
    EnvelopeTracker::Callbacks callbacks;
    callbacks.on_close = [&](EnvelopeLevel level, uint64_t instance) { OnClose(level, instance); };
    EnvelopeTracker tracker(options.verify_counts, std::move(callbacks));
    tracker_ = &tracker;
    SegmentReader reader(in);
    Segment seg;
    uint64_t last = 0;
    while (reader.Next(seg)) {
      if (seg.fatal) {
        CloseClaim();
        Standalone(seg.ordinal, seg.isa ? SegmentField(seg.ordinal, "ISA") : "segment " + std::to_string(seg.ordinal),
                   seg.problem, Raw(seg));
        break;
      }
      last = seg.ordinal;
      const bool envelope = IsEnvelope(seg);
      if (envelope) CloseClaim();
      tracker.Feed(seg);
      if (envelope) {
        stray_reported_ = false;
        if (seg.Id() == "ST") StartTransaction(seg);
        if (seg.isa) delimiters_ = reader.Current();
        continue;
      }
      if (tracker.Transaction() == 0) {
        Stray(seg);
        continue;
      }
      OnSegment(seg);
    }
    CloseClaim();
    tracker.Finish(last);
    tracker_ = nullptr;
    return counts_;
  }

 private:
  // ---- envelopes -------------------------------------------------------------------
  Verdict* Find(EnvelopeLevel level, uint64_t instance) {
    if (instance == 0) return nullptr;
    auto& map = verdicts_[static_cast<size_t>(level)];
    auto it = map.find(instance);
    return it == map.end() ? nullptr : &it->second;
  }

  // The outermost broken envelope around the current position.
  const EnvelopeProblem* EnclosingProblem() {
    for (auto [level, instance] :
         {std::pair{EnvelopeLevel::kInterchange, tracker_->Interchange()},
          std::pair{EnvelopeLevel::kGroup, tracker_->Group()},
          std::pair{EnvelopeLevel::kTransaction, tracker_->Transaction()}}) {
      if (Verdict* v = Find(level, instance)) {
        v->used = true;
        return &v->problem;
      }
    }
    return nullptr;
  }

  void OnClose(EnvelopeLevel level, uint64_t instance) {
    if (level == EnvelopeLevel::kTransaction) txn_active_ = false;
    Verdict* v = Find(level, instance);
    if (!v || v->used) return;
    v->used = true;
    Standalone(v->problem.segment, v->problem.field, v->problem.reason, "");
  }

  void Standalone(uint64_t segment, std::string field, std::string reason, std::string raw) {
    if (sink_.on_reject)
      sink_.on_reject(Reject{file_, LineOf(segment), std::move(field), std::move(reason), std::move(raw)});
  }

  // A segment outside every transaction set. CLM segments there are claims that cannot
  // be read: counted and rejected. Other segments outside every interchange are
  // reported once per run of them (inside an interchange the tracker reports them).
  void Stray(const Segment& seg) {
    if (seg.Id() == "CLM") {  // counted even when the segment itself is broken
      counts_.records_read++;
      counts_.encounters_read++;
      counts_.records_rejected++;
      counts_.encounters_rejected++;
      const EnvelopeProblem* p = EnclosingProblem();
      Standalone(seg.ordinal, SegmentField(seg.ordinal, "CLM"),
                 p ? p->reason + " (" + p->field + "); the claim is rejected"
                   : "CLM outside a transaction set (no ST/SE around it)",
                 Raw(seg));
      return;
    }
    if (tracker_->Interchange() != 0 || stray_reported_) return;
    stray_reported_ = true;
    Standalone(seg.ordinal, SegmentField(seg.ordinal, seg.Id()),
               seg.problem.empty() ? "segment outside any interchange (after IEA, before an ISA)"
                                   : seg.problem + " (outside any interchange)",
               Raw(seg));
  }

  // ---- transaction and hierarchy ---------------------------------------------------
  enum class Loop : uint8_t { kHeader, kProvider, kSubscriber, kPatient };

  void StartTransaction(const Segment&) {
    txn_active_ = true;
    kind_ = tracker_->Kind();
    submitter_id_.clear();
    header_error_.reset();
    next_hl_ = 1;
    hl20_.reset();
    hl22_.reset();
    hl23_.reset();
    billing_npi_.clear();
    subscriber_ = Person{};
    patient_ = Person{};
    payer_.clear();
    loop_ = Loop::kHeader;
    entity_.clear();
  }

  std::optional<Problem>* CurrentLoopError() {
    switch (loop_) {
      case Loop::kHeader: return &header_error_;
      case Loop::kProvider: return &hl20_->error;
      case Loop::kSubscriber: return &hl22_->error;
      case Loop::kPatient: return &hl23_->error;
    }
    return &header_error_;
  }

  static void SetOnce(std::optional<Problem>& slot, const Segment& seg, std::string element,
                      std::string reason) {
    if (!slot) slot = Problem{seg.ordinal, SegmentField(seg.ordinal, seg.Id(), element),
                              std::move(reason), Raw(seg)};
  }

  void LoopError(const Segment& seg, std::string element, std::string reason) {
    SetOnce(*CurrentLoopError(), seg, std::move(element), std::move(reason));
  }

  void ClaimError(const Segment& seg, std::string element, std::string reason) {
    SetOnce(claim_->error, seg, std::move(element), std::move(reason));
  }

  void OnSegment(const Segment& seg) {
    if (!txn_active_) return;
    // A segment with a problem but a readable id (too long, cut off by the end of the
    // file) still opens its loop, so a truncated CLM is counted as the claim it was.
    const std::string_view id = x12::IsValidSegmentId(seg.Id()) ? seg.Id() : std::string_view();
    if (id == "HL") {
      CloseClaim();
      return OnHl(seg);
    }
    if (id == "CLM") {
      CloseClaim();
      return OnClm(seg);
    }
    if (!seg.problem.empty()) return claim_ ? ClaimError(seg, "", seg.problem) : LoopError(seg, "", seg.problem);
    if (claim_) return OnClaimSegment(seg);
    if (id == "NM1") {
      entity_ = std::string(seg.Element(1));
      const std::string_view nm109 = seg.Element(9);
      switch (loop_) {
        case Loop::kHeader:
          if (entity_ == "41") submitter_id_ = std::string(nm109.substr(0, 60));
          break;
        case Loop::kProvider:
          if (entity_ == "85") {
            billing_npi_ = std::string(nm109);
            billing_segment_ = seg.ordinal;
            if (nm109.empty()) LoopError(seg, "09", "NM109 billing provider identifier (NPI) is missing");
          }
          break;
        case Loop::kSubscriber:
          if (entity_ == "IL") {
            subscriber_.id = std::string(nm109);
            subscriber_.last = std::string(seg.Element(3));
            subscriber_.first = std::string(seg.Element(4));
            subscriber_.nm1_segment = seg.ordinal;
          } else if (entity_ == "PR") {
            payer_ = std::string(seg.Element(3).empty() ? nm109 : seg.Element(3));
          }
          break;
        case Loop::kPatient:
          if (entity_ == "QC") {
            patient_.id = std::string(nm109);
            patient_.last = std::string(seg.Element(3));
            patient_.first = std::string(seg.Element(4));
            patient_.nm1_segment = seg.ordinal;
          }
          break;
      }
      return;
    }
    if (id == "DMG") {
      Person* person = loop_ == Loop::kSubscriber && entity_ == "IL" ? &subscriber_
                       : loop_ == Loop::kPatient && entity_ == "QC"  ? &patient_
                                                                     : nullptr;
      if (!person) return;
      person->has_dmg = true;
      if (seg.Element(1) != "D8") return LoopError(seg, "01", "DMG01 must be D8 (date CCYYMMDD)");
      person->birth = ParseCcyymmdd(seg.Element(2));
      if (!person->birth) return LoopError(seg, "02", "DMG02 birth date is not a real date CCYYMMDD");
      const std::string_view sex = seg.Element(3);
      person->sex = sex == "F" ? std::optional(Sex::kFemale)
                    : sex == "M" ? std::optional(Sex::kMale)
                    : sex == "U" ? std::optional(Sex::kUnknown)
                                 : std::nullopt;
      if (!person->sex) return LoopError(seg, "03", "DMG03 sex must be F, M or U");
    }
  }

  void OnHl(const Segment& seg) {
    entity_.clear();
    HlNode node;
    node.segment = seg.ordinal;
    std::optional<Problem> error;
    if (!seg.problem.empty()) SetOnce(error, seg, "", seg.problem);
    const std::string_view hl01 = seg.Element(1), hl02 = seg.Element(2), hl03 = seg.Element(3),
                           hl04 = seg.Element(4);
    uint64_t id = 0;
    auto [p, ec] = std::from_chars(hl01.data(), hl01.data() + hl01.size(), id);
    if (hl01.empty() || ec != std::errc() || p != hl01.data() + hl01.size()) {
      SetOnce(error, seg, "01", "HL01 hierarchical id must be a number");
      id = next_hl_;
    } else if (id != next_hl_) {
      SetOnce(error, seg, "01",
              "HL01 must number the hierarchical loops 1, 2, 3, ... in order (expected " +
                  std::to_string(next_hl_) + ")");
    }
    next_hl_ = id + 1;
    node.id = id;
    if (hl04 != "0" && hl04 != "1") SetOnce(error, seg, "04", "HL04 child code must be 0 or 1");
    node.has_children = hl04 == "1";
    auto parent_is = [&](const std::optional<HlNode>& parent) {
      return parent && hl02 == std::to_string(parent->id);
    };
    if (hl03 == "20") {
      if (!hl02.empty()) SetOnce(error, seg, "02", "HL02: a billing provider loop (HL03 20) has no parent");
      node.error = error;
      hl20_ = node;
      hl22_.reset();
      hl23_.reset();
      billing_npi_.clear();
      loop_ = Loop::kProvider;
    } else if (hl03 == "22") {
      if (!parent_is(hl20_))
        SetOnce(error, seg, "02", "HL02 of a subscriber loop (HL03 22) must name the billing provider loop before it");
      else if (!hl20_->has_children)
        SetOnce(error, seg, "02", "the parent billing provider loop says it has no children (HL04 0)");
      node.error = error;
      hl22_ = node;
      hl23_.reset();
      subscriber_ = Person{};
      payer_.clear();
      loop_ = Loop::kSubscriber;
      if (!hl20_) hl20_ = HlNode{};  // keeps CurrentLoopError() safe; the error above rejects
    } else if (hl03 == "23") {
      if (!parent_is(hl22_))
        SetOnce(error, seg, "02", "HL02 of a patient loop (HL03 23) must name the subscriber loop before it");
      else if (!hl22_->has_children)
        SetOnce(error, seg, "02", "the parent subscriber loop says it has no patient loop (HL04 0)");
      node.error = error;
      hl23_ = node;
      patient_ = Person{};
      loop_ = Loop::kPatient;
      if (!hl22_) hl22_ = HlNode{};
      if (!hl20_) hl20_ = HlNode{};
    } else {
      SetOnce(error, seg, "03", "HL03 level code must be 20, 22 or 23 in an 837");
      // An unknown level still ends the previous loop; what follows is rejected with it.
      node.error = error;
      if (!hl20_) hl20_ = HlNode{};
      hl23_.reset();
      hl22_ = node;
      subscriber_ = Person{};
      loop_ = Loop::kSubscriber;
    }
  }

  // ---- claims ------------------------------------------------------------------------
  void OnClm(const Segment& seg) {
    claim_.emplace();
    Claim& c = *claim_;
    c.segment = seg.ordinal;
    c.raw = Raw(seg);
    c.enc.source_line = LineOf(seg.ordinal);
    if (!seg.problem.empty()) ClaimError(seg, "", seg.problem);
    if (loop_ == Loop::kSubscriber && hl22_ && !hl22_->error && hl22_->has_children)
      ClaimError(seg, "", "claim directly under a subscriber loop whose HL04 announces a patient loop (2000C)");
    if (loop_ == Loop::kHeader || loop_ == Loop::kProvider)
      ClaimError(seg, "", "claim outside a subscriber or patient loop (no HL 22/23 before it)");
    c.parent_level = loop_ == Loop::kPatient ? 23 : 22;
    const std::string_view clm01 = seg.Element(1);
    if (!IsIdentifier(clm01)) return ClaimError(seg, "01", "CLM01 claim identifier must be 1-64 printable characters");
    c.enc.id = std::string(clm01);
    if (auto why = ParseAmount(seg.Element(2), c.enc.total_charge_cents); !why.empty())
      return ClaimError(seg, "02", "CLM02 total charge " + why);
    const std::string_view clm05 = seg.Element(5);
    const char sep = delimiters_.component;
    const std::string_view facility = Component(clm05, sep, 1), qualifier = Component(clm05, sep, 2),
                           frequency = Component(clm05, sep, 3);
    const bool institutional = kind_ == TransactionKind::kInstitutional;
    if (facility.size() != 2 || !AllDigits(facility)) {
      std::string why = institutional ? "CLM05-1 facility type code must be 2 digits"
                                      : "CLM05-1 place of service must be 2 digits";
      for (char guess : std::string_view(":>^|\\!"))
        if (guess != sep && clm05.find(guess) != std::string_view::npos) {
          why += std::string("; the element contains '") + guess + "' but ISA16 declares '" + sep +
                 "' as the component separator";
          break;
        }
      return ClaimError(seg, "05-1", why);
    }
    // An empty qualifier is common and unambiguous (the transaction type says which);
    // a wrong one is not.
    if (!qualifier.empty() && qualifier != (institutional ? "A" : "B"))
      return ClaimError(seg, "05-2", institutional ? "CLM05-2 must be A (uniform billing facility type) in an 837I"
                                                   : "CLM05-2 must be B (place of service) in an 837P");
    if (frequency.size() != 1 || !AllDigits(frequency))
      return ClaimError(seg, "05-3", "CLM05-3 claim frequency code must be 1 digit");
    c.enc.claim_frequency = std::string(frequency);
    if (institutional)
      c.enc.type_of_bill = "0" + std::string(facility) + std::string(frequency);
    else
      c.enc.place_of_service = std::string(facility);
  }

  static std::optional<std::pair<Date, Date>> ParsePeriod(std::string_view format,
                                                          std::string_view value) {
    if (format == "D8") {
      auto d = ParseCcyymmdd(value);
      if (!d) return std::nullopt;
      return std::pair{*d, *d};
    }
    if (format == "RD8") {
      if (value.size() != 17 || value[8] != '-') return std::nullopt;
      auto a = ParseCcyymmdd(value.substr(0, 8)), b = ParseCcyymmdd(value.substr(9));
      if (!a || !b || *b < *a) return std::nullopt;
      return std::pair{*a, *b};
    }
    if (format == "DT") {  // CCYYMMDDHHMM: the date part
      if (value.size() != 12 || !AllDigits(value)) return std::nullopt;
      auto d = ParseCcyymmdd(value.substr(0, 8));
      if (!d) return std::nullopt;
      return std::pair{*d, *d};
    }
    return std::nullopt;
  }

  void CloseLine() {
    Claim& c = *claim_;
    if (!c.line) return;
    LineState& l = *c.line;
    if (!l.has_service) {
      if (!c.error)
        c.error = Problem{l.lx_segment, SegmentField(l.lx_segment, "LX"),
                          "service line has no SV1/SV2 segment", ""};
    } else if (l.coded) {
      if (l.start) {
        l.line.service_date = l.start;
        if (!c.line_min || *l.start < *c.line_min) c.line_min = l.start;
        if (!c.line_max || *l.end > *c.line_max) c.line_max = l.end;
      }
      c.service_lines.push_back(l.line);
      c.date_segments.push_back(l.start ? l.date_segment : l.lx_segment);
    }
    if (l.has_service && !l.start && kind_ == TransactionKind::kProfessional && !c.error)
      c.error = Problem{l.lx_segment, SegmentField(l.lx_segment, "LX"),
                        "service line has no date of service (DTP*472)", ""};
    c.line.reset();
  }

  void OnClaimSegment(const Segment& seg) {
    Claim& c = *claim_;
    const std::string_view id = seg.Id();
    if (id == "LX") {
      if (c.error && c.line_count > kMaxServiceLines) return;
      CloseLine();
      if (++c.line_count > kMaxServiceLines)
        return ClaimError(seg, "", "more than 999 service lines in one claim");
      c.line.emplace();
      c.line->lx_segment = seg.ordinal;
      return;
    }
    if (c.line) return OnLineSegment(seg);
    if (id == "SBR") {
      c.in_other_subscriber = true;  // 2320: other payers; their NM1s are not this claim's
      return;
    }
    if (c.in_other_subscriber) return;
    if (id == "DTP") return OnClaimDate(seg);
    if (id == "HI") return OnHi(seg);
    if (id == "CL1") {
      c.cl1_segment = seg.ordinal;
      c.enc.discharge_status = std::string(seg.Element(3));
      return;
    }
    if (id == "NM1") {
      const std::string_view entity = seg.Element(1);
      if (entity == "82") c.enc.rendering_provider_id = std::string(seg.Element(9).substr(0, 64));
      if (entity == "71") c.enc.attending_provider_id = std::string(seg.Element(9).substr(0, 64));
      return;
    }
    if (id == "SV1" || id == "SV2")
      return ClaimError(seg, "", "service line segment without an LX before it");
  }

  void OnClaimDate(const Segment& seg) {
    Claim& c = *claim_;
    const std::string_view qualifier = seg.Element(1), format = seg.Element(2), value = seg.Element(3);
    if (qualifier != "434" && qualifier != "435" && qualifier != "096") return;
    if (qualifier == "096" && format == "TM") return;  // 837I: discharge hour only
    auto period = ParsePeriod(format, value);
    if (!period)
      return ClaimError(seg, "03", "DTP03 is not a date in the DTP02 format (D8 CCYYMMDD, RD8 CCYYMMDD-CCYYMMDD, DT CCYYMMDDHHMM)");
    if (qualifier == "434") {
      c.statement_from = period->first;
      c.statement_to = period->second;
      c.statement_segment = seg.ordinal;
    } else if (qualifier == "435") {
      c.admission = period->first;
    } else {
      c.discharge = period->first;
    }
  }

  void OnHi(const Segment& seg) {
    Claim& c = *claim_;
    if (!c.hi_segment) c.hi_segment = seg.ordinal;
    const char sep = delimiters_.component;
    const bool institutional = kind_ == TransactionKind::kInstitutional;
    for (size_t i = 1; i <= seg.ElementCount(); ++i) {
      const std::string_view element = seg.Element(i);
      if (element.empty()) continue;
      const std::string hi = "HI" + TwoDigits(i);
      const std::string_view qualifier = Component(element, sep, 1), text = Component(element, sep, 2);
      enum Role { kPrincipalDx, kOtherDx, kAdmitting, kReason, kPrincipalPcs, kOtherPcs, kDrg, kNone };
      Role role = kNone;
      bool icd9 = false;
      if (qualifier == "ABK") role = kPrincipalDx;
      else if (qualifier == "ABF" || qualifier == "ABN") role = kOtherDx;
      else if (qualifier == "ABJ") role = kAdmitting;
      else if (qualifier == "APR") role = kReason;
      else if (qualifier == "BBR") role = kPrincipalPcs;
      else if (qualifier == "BBQ") role = kOtherPcs;
      else if (qualifier == "BK") role = kPrincipalDx, icd9 = true;
      else if (qualifier == "BF" || qualifier == "BN") role = kOtherDx, icd9 = true;
      else if (qualifier == "BJ") role = kAdmitting, icd9 = true;
      else if (qualifier == "PR") role = kReason, icd9 = true;
      else if (qualifier == "BR") role = kPrincipalPcs, icd9 = true;
      else if (qualifier == "BQ") role = kOtherPcs, icd9 = true;
      else if (qualifier == "DR") role = kDrg;
      if (role == kNone) continue;  // occurrence, value, condition codes...: not coding
      if (text.empty()) return ClaimError(seg, TwoDigits(i) + "-2", hi + "-2 has no code after qualifier");
      if (role == kDrg) {
        c.enc.drg = std::string(text.substr(0, 8));
        c.drg_segment = seg.ordinal;
        continue;
      }
      if (++c.code_count > kMaxCodes) return ClaimError(seg, TwoDigits(i), "more than 999 codes in one claim");
      CodedLine line;
      line.source_line = LineOf(seg.ordinal);
      line.code_system = icd9 ? CodeSystem::kIcd9 : CodeSystem::kDefault;
      const bool is_dx = role == kPrincipalDx || role == kOtherDx || role == kAdmitting || role == kReason;
      std::string why;
      if (is_dx) {
        line.type = CodeType::kDiagnosis;
        why = icd9 ? ParseIcd9Diagnosis(text, line.code) : ParseCodeForType(CodeType::kDiagnosis, text, line.code);
        (icd9 ? c.dx_icd9 : c.dx_icd10) = true;
      } else {
        line.type = CodeType::kPcs;
        why = icd9 ? ParseIcd9Procedure(text, line.code) : ParseCodeForType(CodeType::kPcs, text, line.code);
      }
      if (!why.empty()) return ClaimError(seg, TwoDigits(i) + "-2", hi + "-2 " + why);
      if (is_dx && institutional) {
        const std::string_view poa = Component(element, sep, 9);
        if (!poa.empty()) {
          if (poa.size() != 1 || std::string_view("YNUW1").find(poa[0]) == std::string_view::npos)
            return ClaimError(seg, TwoDigits(i) + "-9", hi + "-9 present-on-admission indicator must be Y, N, U, W or 1");
          if (role == kPrincipalDx || role == kOtherDx) line.poa = poa[0];
        }
      }
      if (!is_dx) {
        const std::string_view format = Component(element, sep, 3), date = Component(element, sep, 4);
        if (!format.empty() || !date.empty()) {
          auto d = format == "D8" ? ParseCcyymmdd(date) : std::nullopt;
          if (!d) return ClaimError(seg, TwoDigits(i) + "-4", hi + "-4 procedure date must be D8 CCYYMMDD");
          line.service_date = d;
        }
      }
      switch (role) {
        case kPrincipalDx:
          if (c.principal_dx) return ClaimError(seg, TwoDigits(i), hi + ": a second principal diagnosis");
          c.principal_dx = line;
          break;
        case kOtherDx: c.other_dx.push_back(line); break;
        case kAdmitting:
          if (!c.enc.admitting_dx.Empty()) return ClaimError(seg, TwoDigits(i), hi + ": a second admitting diagnosis");
          c.enc.admitting_dx = line.code;
          break;
        case kReason:
          if (c.enc.visit_reason_dx.size() == 3) return ClaimError(seg, TwoDigits(i), hi + ": more than 3 reason-for-visit diagnoses");
          c.enc.visit_reason_dx.push_back(line.code);
          break;
        case kPrincipalPcs:
          if (c.principal_pcs) return ClaimError(seg, TwoDigits(i), hi + ": a second principal procedure");
          c.principal_pcs = line;
          break;
        case kOtherPcs: c.other_pcs.push_back(line); break;
        default: break;
      }
    }
  }

  // SV101 / SV202: qualifier:code:mod1:...:mod4[:description]
  void ParseProcedure(const Segment& seg, std::string_view element, const std::string& name,
                      CodedLine& line) {
    const char sep = delimiters_.component;
    const std::string_view qualifier = Component(element, sep, 1), text = Component(element, sep, 2);
    if (text.empty()) return ClaimError(seg, name.substr(3), name + "-2 procedure code is missing");
    std::string why;
    if (qualifier == "HC") {
      why = ParseCodeForType(CodeType::kHcpcs, text, line.code);
    } else if (qualifier == "ER" || qualifier == "IV" || qualifier == "WK" || qualifier == "HP") {
      line.code_system = CodeSystem::kOther;  // jurisdiction, HIEC, ABC or HIPPS codes
      why = ParseOtherCode(text, line.code);
    } else {
      std::string r = name + "-1 product/service qualifier must be HC (CPT/HCPCS), ER, IV, WK or HP";
      for (char guess : std::string_view(":>^|\\!"))
        if (guess != sep && element.find(guess) != std::string_view::npos) {
          r += std::string("; the element contains '") + guess + "' but ISA16 declares '" + sep +
               "' as the component separator";
          break;
        }
      return ClaimError(seg, name.substr(3) + "-1", r);
    }
    if (!why.empty()) return ClaimError(seg, name.substr(3) + "-2", name + "-2 " + why);
    for (size_t k = 3; k <= 6; ++k) {
      const std::string_view mod = Component(element, sep, k);
      if (mod.empty()) continue;
      if (!line.modifiers.Add(mod))
        return ClaimError(seg, name.substr(3) + "-" + std::to_string(k),
                          name + "-" + std::to_string(k) + " modifier must be 2 letters or digits");
    }
  }

  void OnLineSegment(const Segment& seg) {
    Claim& c = *claim_;
    LineState& l = *c.line;
    const std::string_view id = seg.Id();
    const bool institutional = kind_ == TransactionKind::kInstitutional;
    if (id == "SV1" || id == "SV2") {
      if (l.has_service) return ClaimError(seg, "", "a second SV1/SV2 in one service line");
      l.has_service = true;
      l.line.type = CodeType::kHcpcs;
      l.line.source_line = LineOf(seg.ordinal);
      if (id == "SV1" && institutional)
        return ClaimError(seg, "", "SV1 (professional service) in an 837I claim: institutional lines are SV2");
      if (id == "SV2" && !institutional)
        return ClaimError(seg, "", "SV2 (institutional service) in an 837P claim: professional lines are SV1");
      if (id == "SV1") {
        l.coded = true;
        ParseProcedure(seg, seg.Element(1), "SV101", l.line);
        if (c.error) return;
        if (auto why = ParseAmount(seg.Element(2), l.line.charge_cents); !why.empty())
          return ClaimError(seg, "02", "SV102 line charge " + why);
        const std::string_view unit = seg.Element(3);
        if (unit != "UN" && unit != "MJ")
          return ClaimError(seg, "03", "SV103 unit basis must be UN (units) or MJ (minutes)");
        if (auto why = ParseQuantity(seg.Element(4), l.line.units); !why.empty())
          return ClaimError(seg, "04", "SV104 quantity " + why);
        const std::string_view pos = seg.Element(5);
        if (!pos.empty()) {
          auto code = pos.size() == 2 && AllDigits(pos) ? Code::Parse(pos) : std::nullopt;
          if (!code) return ClaimError(seg, "05", "SV105 place of service must be 2 digits");
          l.line.place_of_service = *code;
        }
        const std::string_view pointers = seg.Element(7);
        const size_t n = x12::ComponentCount(pointers, delimiters_.component);
        if (n > 4) return ClaimError(seg, "07", "SV107 has more than 4 diagnosis pointers");
        for (size_t k = 1; k <= n; ++k) {
          const std::string_view ptr = Component(pointers, delimiters_.component, k);
          unsigned v = 0;
          auto [p, ec] = std::from_chars(ptr.data(), ptr.data() + ptr.size(), v);
          if (ptr.empty() || ec != std::errc() || p != ptr.data() + ptr.size() || v < 1 || v > 12)
            return ClaimError(seg, "07-" + std::to_string(k),
                              "SV107-" + std::to_string(k) + " diagnosis pointer must be a number 1-12");
          l.line.dx_pointers[k - 1] = static_cast<uint8_t>(v);
        }
      } else {
        const std::string_view revenue = seg.Element(1);
        if (revenue.size() != 4 || !AllDigits(revenue))
          return ClaimError(seg, "01", "SV201 revenue code must be 4 digits");
        l.line.revenue_code = *Code::Parse(revenue);
        if (!seg.Element(2).empty()) {
          l.coded = true;
          ParseProcedure(seg, seg.Element(2), "SV202", l.line);
          if (c.error) return;
        }
        if (auto why = ParseAmount(seg.Element(3), l.line.charge_cents); !why.empty())
          return ClaimError(seg, "03", "SV203 line charge " + why);
        const std::string_view unit = seg.Element(4);
        if (unit != "UN" && unit != "DA")
          return ClaimError(seg, "04", "SV204 unit basis must be UN (units) or DA (days)");
        if (auto why = ParseQuantity(seg.Element(5), l.line.units); !why.empty())
          return ClaimError(seg, "05", "SV205 quantity " + why);
      }
      return;
    }
    if (id == "DTP" && seg.Element(1) == "472") {
      auto period = ParsePeriod(seg.Element(2), seg.Element(3));
      if (!period || seg.Element(2) == "DT")
        return ClaimError(seg, "03", "DTP03 service date must be D8 CCYYMMDD or RD8 CCYYMMDD-CCYYMMDD");
      l.start = period->first;
      l.end = period->second;
      l.date_segment = seg.ordinal;
    }
  }

  // Ends the open claim: every CLM becomes exactly one processed or rejected record.
  void CloseClaim() {
    if (!claim_) return;
    Claim& c = *claim_;
    if (c.line) CloseLine();
    counts_.records_read++;
    counts_.encounters_read++;

    const Problem* problem = nullptr;
    std::optional<Problem> envelope;
    if (const EnvelopeProblem* p = EnclosingProblem())
      envelope = Problem{p->segment, p->field,
                         p->reason + "; the claim at segment " + std::to_string(c.segment) +
                             " is rejected with its envelope",
                         c.raw};
    std::optional<Problem> inherited;
    auto inherit = [&](const std::optional<Problem>& from, const char* loop) {
      if (inherited || !from) return;
      inherited = *from;
      inherited->reason += std::string("; the claim at segment ") + std::to_string(c.segment) +
                           " is under this " + loop;
    };
    if (envelope) {
      problem = &*envelope;
    } else {
      inherit(header_error_, "transaction header");
      if (hl20_) inherit(hl20_->error, "billing provider loop (2000A)");
      if (hl22_) inherit(hl22_->error, "subscriber loop (2000B)");
      if (c.parent_level == 23 && hl23_) inherit(hl23_->error, "patient loop (2000C)");
      if (inherited) problem = &*inherited;
      else if (c.error) problem = &*c.error;
    }
    std::optional<Problem> final_problem;
    if (!problem) {
      final_problem = Finish(c);
      if (final_problem) problem = &*final_problem;
    }
    if (problem) {
      counts_.records_rejected++;
      counts_.encounters_rejected++;
      if (sink_.on_reject)
        sink_.on_reject(Reject{file_, LineOf(problem->segment), problem->field, problem->reason,
                               problem->raw.empty() ? c.raw : problem->raw});
      if (sink_.on_encounter_rejected && !c.enc.id.empty()) sink_.on_encounter_rejected(c.enc.id);
    } else {
      counts_.records_processed++;
      counts_.encounters_processed++;
      c.enc.source_file = file_;
      if (sink_.on_encounter) sink_.on_encounter(std::move(c.enc));
    }
    claim_.reset();
  }

  // Assembles the encounter; returns the problem that rejects it, if any.
  std::optional<Problem> Finish(Claim& c) {
    Encounter& e = c.enc;
    const bool institutional = kind_ == TransactionKind::kInstitutional;
    auto at = [&](uint64_t segment, std::string_view id, std::string_view element, std::string reason) {
      return Problem{segment, SegmentField(segment, id, element), std::move(reason), ""};
    };
    // Who the patient is: the 2000C patient, or the subscriber when the claim hangs
    // directly under 2000B.
    if (subscriber_.id.empty())
      return at(hl22_ ? hl22_->segment : c.segment, "HL", "",
                "the subscriber's member id (2010BA NM1*IL NM109) is missing");
    const Person& person = c.parent_level == 23 ? patient_ : subscriber_;
    if (c.parent_level == 23) {
      if (!patient_.id.empty()) {
        e.patient_id = patient_.id;
      } else {
        // 5010 has no patient id: subscriber id + a digest of the dependent's name and
        // birth date, stable across files, without putting the name in the id.
        const std::string key = patient_.last + "|" + patient_.first + "|" +
                                (patient_.birth ? ToIso(*patient_.birth) : "");
        e.patient_id = subscriber_.id.substr(0, 55) + "-" + Sha256Hex(key).substr(0, 8);
      }
    } else {
      e.patient_id = subscriber_.id;
    }
    if (!person.has_dmg)
      return at(person.nm1_segment ? person.nm1_segment : c.segment, "NM1", "",
                c.parent_level == 23 ? "the patient (2010CA) has no DMG birth date and sex"
                                     : "the subscriber who is the patient (2010BA) has no DMG birth date and sex");
    e.birth_date = person.birth;
    e.sex = *person.sex;
    if (billing_npi_.empty())
      return at(hl20_ && hl20_->segment ? hl20_->segment : c.segment, "HL", "",
                "the billing provider (2010AA NM1*85 NM109) is missing");
    e.provider_id = billing_npi_;
    e.coder_id = submitter_id_.empty() ? "x12" : "x12:" + submitter_id_;
    e.payer = payer_;

    // Diagnoses first (principal = seq 1), then procedures, then service lines.
    if (c.dx_icd9 && c.dx_icd10)
      return at(c.hi_segment, "HI", "", "the claim mixes ICD-9 (BK/BF) and ICD-10 (ABK/ABF) diagnoses");
    if (!c.principal_dx)
      return at(c.hi_segment ? c.hi_segment : c.segment, c.hi_segment ? "HI" : "CLM", "",
                c.other_dx.empty() ? "the claim has no diagnosis (HI ABK/BK principal diagnosis)"
                                   : "the claim has no principal diagnosis (HI ABK/BK)");
    uint16_t seq = 1;
    c.principal_dx->seq = seq++;
    e.lines.push_back(*c.principal_dx);
    for (auto& l : c.other_dx) {
      l.seq = seq++;
      e.lines.push_back(l);
    }
    const size_t dx_count = seq - 1u;
    if (!c.other_pcs.empty() && !c.principal_pcs)
      return at(c.hi_segment, "HI", "", "other procedures (BBQ/BQ) without a principal procedure (BBR/BR)");
    seq = 1;
    if (c.principal_pcs) {
      c.principal_pcs->seq = seq++;
      e.lines.push_back(*c.principal_pcs);
    }
    for (auto& l : c.other_pcs) {
      l.seq = seq++;
      e.lines.push_back(l);
    }
    const size_t first_service = e.lines.size();
    for (size_t i = 0; i < c.service_lines.size(); ++i) {
      const CodedLine& l = c.service_lines[i];
      for (uint8_t p : l.dx_pointers)
        if (p > dx_count)
          return at(l.source_line, "SV1", "07",
                    "SV107 points to diagnosis " + std::to_string(p) + " but the claim has " +
                        std::to_string(dx_count));
      e.lines.push_back(l);
    }

    // Dates and claim type.
    if (institutional) {
      if (!c.statement_from)
        return at(c.segment, "CLM", "", "the claim has no statement period (DTP*434)");
      e.claim_type = e.type_of_bill.substr(1, 2) == "11" ? ClaimType::kInpatient : ClaimType::kOutpatient;
      e.from_date = *c.statement_from;
      e.through_date = *c.statement_to;
      if (e.claim_type == ClaimType::kInpatient) {
        if (c.admission) e.from_date = *c.admission;
        if (c.discharge) e.through_date = *c.discharge;
      }
    } else {
      e.claim_type = ClaimType::kProfessional;
      if (c.service_lines.empty())
        return at(c.segment, "CLM", "", "the claim has no service lines (LX/SV1)");
      e.from_date = *c.line_min;
      e.through_date = *c.line_max;
    }

    if (auto p = CheckAssembledEncounter(e)) {
      // Point at the segment the offending value came from.
      const int index = p->line_index;
      uint64_t segment = c.segment;
      std::string_view id = "CLM", element;
      if (p->field == "patient_id") {
        segment = person.nm1_segment, id = "NM1", element = "09";
      } else if (p->field == "provider_id") {
        segment = billing_segment_, id = "NM1", element = "09";
      } else if ((p->field == "through_date" || p->field == "birth_date") && institutional) {
        segment = c.statement_segment, id = "DTP", element = "03";
      } else if (p->field == "drg") {
        segment = c.drg_segment, id = "HI";
      } else if (p->field == "discharge_status") {
        segment = c.cl1_segment, id = "CL1", element = "03";
      } else if (index >= 0 && static_cast<size_t>(index) >= first_service) {
        const size_t s = static_cast<size_t>(index) - first_service;
        if (p->field == "service_date") {
          segment = c.date_segments[s], id = "DTP", element = "03";
        } else {
          segment = e.lines[static_cast<size_t>(index)].source_line;
          id = institutional ? "SV2" : "SV1";
        }
      } else if (index >= 0) {
        segment = e.lines[static_cast<size_t>(index)].source_line, id = "HI";
      }
      if (segment == 0) segment = c.segment, id = "CLM", element = {};
      return Problem{segment, SegmentField(segment, id, element), p->field + " " + p->reason, ""};
    }
    return std::nullopt;
  }

  const std::string& file_;
  const IngestSink& sink_;
  Verdicts& verdicts_;
  IngestCounts counts_;
  EnvelopeTracker* tracker_ = nullptr;
  x12::Delimiters delimiters_;
  bool stray_reported_ = false;

  bool txn_active_ = false;
  TransactionKind kind_ = TransactionKind::kNone;
  std::string submitter_id_;
  std::optional<Problem> header_error_;
  uint64_t next_hl_ = 1;
  std::optional<HlNode> hl20_, hl22_, hl23_;
  std::string billing_npi_;
  uint64_t billing_segment_ = 0;
  Person subscriber_, patient_;
  std::string payer_;
  Loop loop_ = Loop::kHeader;
  std::string entity_;
  std::optional<Claim> claim_;
};

// Copies a stream that cannot seek into an unlinked temporary file.
class Spool {
 public:
  explicit Spool(std::istream& in) {
    const char* dir = std::getenv("TMPDIR");
    std::string path = std::string(dir && *dir ? dir : "/tmp") + "/coderaudit-x12-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw SystemError("cannot create a temporary file to spool X12 input");
    ::close(fd);
    {
      std::ofstream out(path, std::ios::binary);
      out << in.rdbuf();
      if (!out) {
        std::remove(path.c_str());
        throw SystemError("cannot spool X12 input to a temporary file");
      }
    }
    file_.open(path, std::ios::binary);
    std::remove(path.c_str());  // the open stream keeps the data until it closes
    if (!file_) throw SystemError("cannot reopen the spooled X12 input");
  }
  std::istream& Stream() { return file_; }

 private:
  std::ifstream file_;
};

}  // namespace

IngestCounts ReadX12(std::istream& in, const std::string& file_name, const IngestSink& sink,
                     const X12Options& options) {
  const std::istream::pos_type start = in.tellg();
  if (start == std::istream::pos_type(-1)) {
    in.clear();
    Spool spool(in);
    return ReadX12(spool.Stream(), file_name, sink, options);
  }
  Verdicts verdicts = CheckEnvelopes(in, file_name, sink, options);
  in.clear();
  in.seekg(start);
  if (!in) throw SystemError(file_name + ": cannot rewind the X12 input for its second pass");
  Reader837 reader(file_name, sink, verdicts);
  return reader.Run(in, options);
}

IngestCounts ReadX12File(const std::string& path, const IngestSink& sink, const X12Options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open X12 file " + path);
  return ReadX12(in, path, sink, options);
}

}  // namespace coderaudit::ingest
