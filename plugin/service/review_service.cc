#include "plugin/service/review_service.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "plugin/service/proto_convert.h"
#include "plugin/service/rpc_status.h"
#include "plugin/service/session_loader.h"

namespace unitclock::service {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;

using auth::Role;

}  // namespace

absl::StatusOr<ReviewServiceImpl::Admitted> ReviewServiceImpl::Admit(
    Authorization authorization, std::initializer_list<auth::Role> roles, std::string_view call,
    const std::string& requested_platform) const {
  absl::StatusOr<auth::Caller> caller = gate_.Admit(authorization, roles, call);
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> platform =
      auth::ActingPlatform(*caller, requested_platform, "platform");
  if (!platform.ok()) return platform.status();
  return Admitted{*std::move(caller), *std::move(platform)};
}

absl::Status ReviewServiceImpl::List(Authorization authorization,
                                     const v1::ListSuggestionsRequest& request,
                                     v1::ListSuggestionsResponse& response) {
  auto admitted = Admit(authorization, {Role::kReviewer, Role::kBilling}, "ListSuggestions",
                        request.platform());
  if (!admitted.ok()) return admitted.status();
  auto first = DayFromRequest(request.date_min(), "date_min");
  if (!first.ok()) return first.status();
  auto last = DayFromRequest(request.date_max(), "date_max");
  if (!last.ok()) return last.status();
  absl::StatusOr<std::set<v1::ReviewState>> states = StatesFromRequest(request);
  if (!states.ok()) return states.status();
  auto listed = desk_.List(admitted->platform, request.provider_ref(), *first, *last, clock_.Now(),
                           request.include_provisional());
  if (!listed.ok()) return listed.status();
  for (const core::ReviewedSuggestion& s : *listed) {
    if (states->count(ReviewStateToProto(s.state)) > 0) {
      ReviewedSuggestionToProto(s, *response.add_suggestions());
    }
  }
  return absl::OkStatus();
}

absl::Status ReviewServiceImpl::Get(Authorization authorization,
                                    const v1::GetSuggestionRequest& request,
                                    v1::ReviewedSuggestion& response) {
  auto admitted =
      Admit(authorization, {Role::kReviewer, Role::kBilling}, "GetSuggestion", request.platform());
  if (!admitted.ok()) return admitted.status();
  absl::StatusOr<core::SuggestionKey> key = SuggestionKeyFromName(request.name(), "name");
  if (!key.ok()) return key.status();
  auto s = desk_.Get(admitted->platform, *key, clock_.Now());
  if (!s.ok()) return s.status();
  ReviewedSuggestionToProto(*s, response);
  return absl::OkStatus();
}

absl::Status ReviewServiceImpl::Review(Authorization authorization,
                                       const v1::ReviewSuggestionRequest& request,
                                       v1::ReviewedSuggestion& response) {
  auto admitted = Admit(authorization, {Role::kReviewer}, "ReviewSuggestion", request.platform());
  if (!admitted.ok()) return admitted.status();
  absl::StatusOr<core::ReviewCommand> command = ReviewCommandFromProto(request);
  if (!command.ok()) return command.status();
  command->platform = admitted->platform;
  auto s = desk_.Review(*command, clock_.Now());
  if (!s.ok()) return s.status();
  ReviewedSuggestionToProto(*s, response);
  return absl::OkStatus();
}

absl::Status ReviewServiceImpl::Audit(Authorization authorization,
                                      const v1::ListAuditRecordsRequest& request,
                                      v1::ListAuditRecordsResponse& response) {
  auto admitted = Admit(authorization, {Role::kReviewer, Role::kBilling}, "ListAuditRecords",
                        request.platform());
  if (!admitted.ok()) return admitted.status();
  if (request.patient_ref().empty()) return absl::InvalidArgumentError("patient_ref: required");
  auto day = DayFromRequest(request.date_of_service(), "date_of_service");
  if (!day.ok()) return day.status();
  auto records = desk_.Audit(admitted->platform, request.patient_ref(), *day);
  if (!records.ok()) return records.status();
  for (const core::ReviewRecord& r : *records) AuditRecordToProto(r, *response.add_records());
  return absl::OkStatus();
}

absl::StatusOr<ReviewServiceImpl::PreparedExport> ReviewServiceImpl::PrepareExport(
    Authorization authorization, const v1::ExportClaimsRequest& request) {
  auto admitted = Admit(authorization, {Role::kBilling}, "ExportClaims", request.platform());
  if (!admitted.ok()) return admitted.status();
  absl::StatusOr<core::exports::ExportRequest> export_request = ExportRequestFromProto(request);
  if (!export_request.ok()) return export_request.status();
  export_request->platform = admitted->platform;
  absl::StatusOr<StreamSlot> slot = gate_.OpenStream(admitted->caller);
  if (!slot.ok()) return slot.status();
  absl::StatusOr<ReviewDesk::ExportPlan> plan = desk_.PrepareExport(*export_request, clock_.Now());
  if (!plan.ok()) return plan.status();
  return PreparedExport{*std::move(slot), *std::move(plan)};
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ListSuggestions(
    grpc::CallbackServerContext* context, const v1::ListSuggestionsRequest* request,
    v1::ListSuggestionsResponse* response) {
  return FinishUnary(context, List(AuthorizationOf(*context), *request, *response));
}

grpc::ServerUnaryReactor* ReviewServiceImpl::GetSuggestion(grpc::CallbackServerContext* context,
                                                           const v1::GetSuggestionRequest* request,
                                                           v1::ReviewedSuggestion* response) {
  return FinishUnary(context, Get(AuthorizationOf(*context), *request, *response));
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ReviewSuggestion(
    grpc::CallbackServerContext* context, const v1::ReviewSuggestionRequest* request,
    v1::ReviewedSuggestion* response) {
  return FinishUnary(context, Review(AuthorizationOf(*context), *request, *response));
}

grpc::ServerUnaryReactor* ReviewServiceImpl::ListAuditRecords(
    grpc::CallbackServerContext* context, const v1::ListAuditRecordsRequest* request,
    v1::ListAuditRecordsResponse* response) {
  return FinishUnary(context, Audit(AuthorizationOf(*context), *request, *response));
}

// One ExportClaims stream: writes the prepared file in chunks, records the
// batch once every chunk is out, then sends the batch id and counts.
class ReviewServiceImpl::ExportReactor final
    : public grpc::ServerWriteReactor<v1::ExportClaimsResponse> {
 public:
  ExportReactor(ReviewServiceImpl& service, absl::StatusOr<PreparedExport> prepared)
      : service_(service) {
    if (!prepared.ok()) {
      End(ToGrpcStatus(prepared.status()));
      return;
    }
    slot_ = std::move(prepared->slot);
    plan_ = std::move(prepared->plan);
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      // Not recorded: the lines stay exportable.
      End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "export could not be sent"));
      return;
    }
    if (done_) {
      End(grpc::Status::OK);
      return;
    }
    Next();
  }

  void OnDone() override { delete this; }

 private:
  // Finishes the call with `status`. The stream stops counting against its
  // platform first, before the client can see it end, so that the client may
  // open the next one at once (as PublishStream::End does); OnDone's release
  // of the slot is then a no-op.
  void End(const grpc::Status& status) {
    slot_ = StreamSlot();
    Finish(status);
  }

  void Next() {
    response_.Clear();
    const std::string& data = plan_.data;
    if (offset_ < data.size()) {
      const std::size_t n = std::min(kChunkBytes, data.size() - offset_);
      response_.set_data(data.substr(offset_, n));
      offset_ += n;
      StartWrite(&response_);
      return;
    }
    absl::StatusOr<std::string> batch_id = service_.CommitExport(plan_);
    if (!batch_id.ok()) {
      End(ToGrpcStatus(batch_id.status()));
      return;
    }
    response_.set_batch_id(*batch_id);
    response_.set_claim_count(plan_.batch.claim_count);
    response_.set_line_count(plan_.line_count);
    for (const ReviewDesk::SkippedClaim& skipped : plan_.skipped) {
      v1::SkippedClaim* out = response_.add_skipped_claims();
      out->set_name("suggestions/" + skipped.suggestion_id);
      out->set_reason(skipped.reason);
    }
    done_ = true;
    StartWrite(&response_);
  }

  ReviewServiceImpl& service_;
  StreamSlot slot_;  // one reaction at a time: no lock (one write outstanding at most)
  ReviewDesk::ExportPlan plan_;
  std::size_t offset_ = 0;
  bool done_ = false;
  v1::ExportClaimsResponse response_;
};

grpc::ServerWriteReactor<v1::ExportClaimsResponse>* ReviewServiceImpl::ExportClaims(
    grpc::CallbackServerContext* context, const v1::ExportClaimsRequest* request) {
  return new ExportReactor(*this, PrepareExport(AuthorizationOf(*context), *request));
}

}  // namespace unitclock::service
