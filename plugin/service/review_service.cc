#include "plugin/service/review_service.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "plugin/service/rpc_status.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;

absl::StatusOr<core::Day> DayField(const std::string& text, const std::string& field) {
  const std::optional<core::Day> day = core::ParseDay(text);
  if (!day) return absl::InvalidArgumentError(field + ": must be a date \"YYYY-MM-DD\"");
  return *day;
}

}  // namespace

grpc::ServerUnaryReactor* ReviewServiceImpl::ListSuggestions(
    grpc::CallbackServerContext* context, const v1::ListSuggestionsRequest* request,
    v1::ListSuggestionsResponse* response) {
  if (request->platform().empty()) {
    return FinishUnary(context, absl::InvalidArgumentError("platform: required"));
  }
  auto first = DayField(request->date_min(), "date_min");
  if (!first.ok()) return FinishUnary(context, first.status());
  auto last = DayField(request->date_max(), "date_max");
  if (!last.ok()) return FinishUnary(context, last.status());
  if (*last < *first) {
    return FinishUnary(context, absl::InvalidArgumentError("date_max: before date_min"));
  }
  std::set<int> states(request->states().begin(), request->states().end());
  if (states.empty()) states = {v1::REVIEW_STATE_PENDING, v1::REVIEW_STATE_NEEDS_REREVIEW};
  auto listed = desk_.List(request->platform(), request->provider_ref(), *first, *last);
  if (!listed.ok()) return FinishUnary(context, listed.status());
  for (v1::ReviewedSuggestion& s : *listed) {
    if (states.count(s.state()) > 0) *response->add_suggestions() = std::move(s);
  }
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetSuggestion(grpc::CallbackServerContext* context,
                                                           const v1::GetSuggestionRequest* request,
                                                           v1::ReviewedSuggestion* response) {
  absl::StatusOr<std::string> id = IdFromName(request->name(), "suggestions", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  auto s = desk_.Get(request->platform(), *id);
  if (!s.ok()) return FinishUnary(context, s.status());
  *response = *std::move(s);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ReviewSuggestion(
    grpc::CallbackServerContext* context, const v1::ReviewSuggestionRequest* request,
    v1::ReviewedSuggestion* response) {
  auto s = desk_.Review(*request, clock_.Now());
  if (!s.ok()) return FinishUnary(context, s.status());
  *response = *std::move(s);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ListAuditRecords(
    grpc::CallbackServerContext* context, const v1::ListAuditRecordsRequest* request,
    v1::ListAuditRecordsResponse* response) {
  if (request->platform().empty() || request->patient_ref().empty()) {
    return FinishUnary(
        context, absl::InvalidArgumentError(request->platform().empty() ? "platform: required"
                                                                        : "patient_ref: required"));
  }
  auto day = DayField(request->date_of_service(), "date_of_service");
  if (!day.ok()) return FinishUnary(context, day.status());
  auto records = desk_.Audit(request->platform(), request->patient_ref(), *day);
  if (!records.ok()) return FinishUnary(context, records.status());
  for (v1::AuditRecord& r : *records) *response->add_records() = std::move(r);
  return FinishUnary(context, absl::OkStatus());
}

// One ExportClaims stream: writes the prepared file in chunks, records the
// batch once every chunk is out, then sends the batch id and counts.
class ReviewServiceImpl::ExportReactor final
    : public grpc::ServerWriteReactor<v1::ExportClaimsResponse> {
 public:
  ExportReactor(ReviewDesk& desk, absl::StatusOr<ReviewDesk::ExportPlan> plan)
      : desk_(desk), plan_(std::move(plan)) {
    if (!plan_.ok()) {
      Finish(ToGrpcStatus(plan_.status()));
      return;
    }
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      // Not recorded: the lines stay exportable.
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "export could not be sent"));
      return;
    }
    if (done_) {
      Finish(grpc::Status::OK);
      return;
    }
    Next();
  }

  void OnDone() override { delete this; }

 private:
  void Next() {
    response_.Clear();
    const std::string& data = plan_->data;
    if (offset_ < data.size()) {
      const std::size_t n = std::min(kChunkBytes, data.size() - offset_);
      response_.set_data(data.substr(offset_, n));
      offset_ += n;
      StartWrite(&response_);
      return;
    }
    absl::StatusOr<std::string> batch_id = desk_.CommitExport(*plan_);
    if (!batch_id.ok()) {
      Finish(ToGrpcStatus(batch_id.status()));
      return;
    }
    response_.set_batch_id(*batch_id);
    response_.set_claim_count(plan_->batch.claim_count);
    response_.set_line_count(plan_->line_count);
    done_ = true;
    StartWrite(&response_);
  }

  ReviewDesk& desk_;
  absl::StatusOr<ReviewDesk::ExportPlan> plan_;
  std::size_t offset_ = 0;
  bool done_ = false;
  v1::ExportClaimsResponse response_;
};

grpc::ServerWriteReactor<v1::ExportClaimsResponse>* ReviewServiceImpl::ExportClaims(
    grpc::CallbackServerContext* /*context*/, const v1::ExportClaimsRequest* request) {
  return new ExportReactor(desk_, desk_.PrepareExport(*request, clock_.Now()));
}

}  // namespace unitclock::service
