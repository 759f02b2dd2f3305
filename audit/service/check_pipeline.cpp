#include "audit/service/check_pipeline.hpp"

#include <utility>

namespace coderaudit::service {

CheckPipeline::CheckPipeline(const rules::RuleProgram& program, store::RunWriter& writer,
                             bool store_all, int threads, std::function<double()> clock,
                             std::function<void(const PipelineTotals&)> on_progress,
                             store::ClaimHistoryFile* history)
    : program_(program),
      writer_(writer),
      history_(history),
      store_all_(store_all),
      clock_(std::move(clock)),
      on_progress_(std::move(on_progress)),
      current_(std::make_unique<Batch>()),
      threaded_(threads >= 2) {
  current_->items.resize(kBatch);
  if (threaded_) thread_ = std::thread([this] { StoreThread(); });
}

CheckPipeline::~CheckPipeline() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    failed_ = true;  // abandoned (an exception unwinds the caller): store nothing more
  }
  changed_.notify_all();
  thread_.join();
}

CheckPipeline::Item& CheckPipeline::NextItem() {
  if (current_->used == kBatch) Submit();
  Item& item = current_->items[current_->used++];
  item.findings.clear();
  item.not_checked.clear();
  return item;
}

void CheckPipeline::AddEncounter(Encounter& e) {
  if (history_ != nullptr) history_->Add(e);  // the reader's thread: input order
  Item& item = NextItem();
  item.is_reject = false;
  swap(item.encounter, e);  // Encounter's own, member by member
}

void CheckPipeline::AddReject(Reject&& r) {
  Item& item = NextItem();
  item.is_reject = true;
  item.reject = std::move(r);
}

void CheckPipeline::EvaluateBatch(Batch& b) {
  for (size_t i = 0; i < b.used; ++i)
    if (!b.items[i].is_reject)
      program_.Evaluate(b.items[i].encounter, b.items[i].findings, b.items[i].not_checked,
                        history_);
}

void CheckPipeline::StoreBatch(Batch& b) {
  for (size_t i = 0; i < b.used; ++i) {
    Item& item = b.items[i];
    if (item.is_reject) {
      totals_.rejects++;
      writer_.AddReject(item.reject);
      continue;
    }
    if (!item.findings.empty()) {
      if (totals_.encounters_with_findings++ == 0) totals_.first_finding_seconds = clock_();
      totals_.findings += static_cast<int64_t>(item.findings.size());
    }
    // A claim some rule could not judge is kept even with --store findings: the hold list
    // shows it.
    if (store_all_ || !item.findings.empty() || !item.not_checked.empty())
      writer_.AddEncounter(item.encounter);
    for (const auto& f : item.findings) writer_.AddFinding(f);
    if (!item.not_checked.empty()) {
      totals_.claims_not_checked++;
      for (const auto& n : item.not_checked) {
        writer_.AddNotChecked(n);
        auto [it, added] = totals_.not_checked.try_emplace(n.rule_id);
        if (added) it->second = {n.rule_id, n.rule_version, n.table, n.date, 0};
        it->second.claims++;
      }
    }
    if (++totals_.encounters % 1000 == 0 && on_progress_) on_progress_(totals_);
  }
}

void CheckPipeline::Fail(std::exception_ptr e) {
  std::lock_guard lock(mu_);
  if (!error_) error_ = e;
  failed_ = true;
  changed_.notify_all();
}

bool CheckPipeline::HelpEvaluate(std::unique_lock<std::mutex>& lock) {
  if (to_evaluate_.empty()) return false;
  std::unique_ptr<Batch> b = std::move(to_evaluate_.front());
  to_evaluate_.pop_front();
  lock.unlock();
  try {
    EvaluateBatch(*b);
  } catch (...) {
    lock.lock();
    if (!error_) error_ = std::current_exception();
    failed_ = true;
    changed_.notify_all();
    return true;
  }
  lock.lock();
  evaluated_.emplace(b->seq, std::move(b));
  changed_.notify_all();
  return true;
}

void CheckPipeline::Submit() {
  if (current_->used == 0) return;
  if (!threaded_) {
    EvaluateBatch(*current_);
    StoreBatch(*current_);
    current_->used = 0;
    return;
  }
  std::unique_lock lock(mu_);
  if (failed_) std::rethrow_exception(error_);
  Enqueue();
  // Evaluation falling behind: this thread takes a batch too before reading on.
  if (to_evaluate_.size() > 1) HelpEvaluate(lock);
  // A batch to fill next: a stored one back from the store stage, or a new one while
  // fewer than kMaxBatches are in flight; otherwise help or wait.
  while (free_.empty() && in_flight_ >= kMaxBatches && !failed_)
    if (!HelpEvaluate(lock)) changed_.wait(lock);
  if (failed_) std::rethrow_exception(error_);
  if (!free_.empty()) {
    current_ = std::move(free_.back());
    free_.pop_back();
  } else {
    current_ = std::make_unique<Batch>();
    current_->items.resize(kBatch);
  }
  current_->used = 0;
}

void CheckPipeline::Enqueue() {
  current_->seq = next_seq_++;
  to_evaluate_.push_back(std::move(current_));
  in_flight_++;
  changed_.notify_all();
}

void CheckPipeline::StoreThread() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (failed_) return;
    const auto next = evaluated_.find(next_to_store_);
    if (next != evaluated_.end()) {
      std::unique_ptr<Batch> b = std::move(next->second);
      evaluated_.erase(next);
      lock.unlock();
      try {
        StoreBatch(*b);
      } catch (...) {
        Fail(std::current_exception());
        return;
      }
      lock.lock();
      next_to_store_++;
      in_flight_--;
      free_.push_back(std::move(b));
      changed_.notify_all();
      continue;
    }
    if (HelpEvaluate(lock)) continue;
    if (closed_ && in_flight_ == 0) return;
    changed_.wait(lock);
  }
}

const PipelineTotals& CheckPipeline::Finish() {
  if (!threaded_) {
    Submit();
    return totals_;
  }
  {
    std::unique_lock lock(mu_);
    if (current_ && current_->used > 0) Enqueue();
    closed_ = true;
    changed_.notify_all();
    while (!failed_ && HelpEvaluate(lock)) {
    }
  }
  thread_.join();
  if (error_) std::rethrow_exception(error_);
  return totals_;
}

}  // namespace coderaudit::service
