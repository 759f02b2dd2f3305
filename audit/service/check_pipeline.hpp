#pragma once
// Evaluating and storing what ingest reads, in input order, on one thread or two.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/model/encounter.hpp"
#include "audit/model/finding.hpp"
#include "audit/model/hold.hpp"
#include "audit/model/reject.hpp"
#include "audit/store/claim_history.hpp"
#include "audit/store/store.hpp"
#include "rules/rule_program.hpp"

namespace coderaudit::service {

// What the store stage counts; read after Finish().
struct PipelineTotals {
  int64_t encounters = 0, findings = 0, encounters_with_findings = 0, rejects = 0;
  double first_finding_seconds = -1;  // on the caller's clock (see `clock`)
  // Claims some rule could not judge (no table version in force on their date), and per
  // rule id how many, with the first claim's table and date.
  int64_t claims_not_checked = 0;
  std::map<std::string, NotCheckedCount> not_checked;
};

// Ingest hands encounters and rejects over in input order; they are evaluated in batches
// and stored in exactly that order, so the store receives the same calls whatever the
// threading. With `threads` >= 2 a second thread stores batches in order and evaluates
// batches whenever the next one to store is not ready, while the calling thread reads and
// also evaluates when evaluation falls behind: both cores evaluate, neither waits on the
// other for long. At most kMaxBatches batches are in flight (bounded memory); batches and
// the encounters in them are reused.
class CheckPipeline {
 public:
  static constexpr size_t kBatch = 256, kMaxBatches = 8;

  // `history` (may be null): every encounter handed over joins it, in input order, before
  // it is evaluated, and rules pairing claims across claims read it.
  CheckPipeline(const rules::RuleProgram& program, store::RunWriter& writer, bool store_all,
                int threads, std::function<double()> clock,
                std::function<void(const PipelineTotals&)> on_progress,
                store::ClaimHistoryFile* history = nullptr);
  ~CheckPipeline();
  CheckPipeline(const CheckPipeline&) = delete;
  CheckPipeline& operator=(const CheckPipeline&) = delete;

  // Takes `e`'s contents by swapping them with a batch slot's: the reader gets storage
  // back that already has capacity, and nothing is copied.
  void AddEncounter(Encounter& e);
  void AddReject(Reject&& r);
  // Evaluates and stores everything handed over; rethrows the first failure of either
  // thread. Totals are final afterwards.
  const PipelineTotals& Finish();

 private:
  struct Item {
    bool is_reject = false;
    Encounter encounter;
    Reject reject;
    std::vector<Finding> findings;
    std::vector<NotChecked> not_checked;
  };
  struct Batch {
    uint64_t seq = 0;
    std::vector<Item> items;
    size_t used = 0;
  };

  Item& NextItem();
  void Submit();                 // the current batch is full (or the input ended)
  void Enqueue();                // with mu_ held: the current batch joins the queue
  void EvaluateBatch(Batch& b);  // any thread
  void StoreBatch(Batch& b);     // the store stage only, in sequence order
  void StoreThread();
  // Called with mu_ held: evaluates the oldest unevaluated batch, if any (unlocks meanwhile).
  bool HelpEvaluate(std::unique_lock<std::mutex>& lock);
  void Fail(std::exception_ptr e);

  const rules::RuleProgram& program_;
  store::RunWriter& writer_;
  store::ClaimHistoryFile* history_;
  const bool store_all_;
  std::function<double()> clock_;
  std::function<void(const PipelineTotals&)> on_progress_;
  PipelineTotals totals_;

  std::unique_ptr<Batch> current_;
  uint64_t next_seq_ = 0;
  bool threaded_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> to_evaluate_;
  std::map<uint64_t, std::unique_ptr<Batch>> evaluated_;  // waiting for their turn to store
  std::vector<std::unique_ptr<Batch>> free_;
  size_t in_flight_ = 0;       // batches submitted and not yet stored
  uint64_t next_to_store_ = 0;
  bool closed_ = false, failed_ = false;
  std::exception_ptr error_;
};

}  // namespace coderaudit::service
