#include "plugin/service/http_api.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "plugin/http/status.h"

namespace unitclock::service {
namespace {

using http::Request;
using http::Response;

// Protobuf's JSON mapping, as the API prints it: lowerCamelCase names, enums
// by name, and every field, also those at their default value, so that a
// client sees 0 units as 0 rather than as a missing field.
std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

// How much of Protobuf's JSON parse error an error repeats.
constexpr std::size_t kMaxParseMessage = 160;

// A request body in Protobuf's JSON mapping (either field spelling). An
// empty body is an empty message; a field the message does not have is an
// error, so that a misspelt field is not silently ignored.
absl::Status FromJson(const std::string& body, google::protobuf::Message& message) {
  if (body.empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(body, &message, options);
  if (status.ok()) return absl::OkStatus();
  // Protobuf's message may quote the body (a field's name): only its start
  // is repeated.
  std::string why(status.message());
  if (why.size() > kMaxParseMessage) why = why.substr(0, kMaxParseMessage) + "...";
  return absl::InvalidArgumentError("body: not a " + message.GetDescriptor()->name() +
                                    " in JSON: " + why);
}

Response Reply(const absl::Status& status, const google::protobuf::Message& message) {
  if (!status.ok()) return Response::Error(status);
  return Response::Json(ToJson(message));
}

// INVALID_ARGUMENT for a query parameter the call does not take: a typo
// ("date-min") would otherwise be ignored without a word.
absl::Status OnlyParameters(const Request& request, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(name + ": not a parameter of this call");
    }
  }
  return absl::OkStatus();
}

std::string Param(const Request& request, std::string_view name) {
  return std::string(request.Query(name).value_or(""));
}

absl::StatusOr<bool> BoolParam(const Request& request, std::string_view name) {
  const std::string value = Param(request, name);
  if (value.empty() || value == "false" || value == "0") return false;
  if (value == "true" || value == "1") return true;
  return absl::InvalidArgumentError(std::string(name) + ": must be true or false");
}

// What an export's format is written as in the query: its short name or the
// API's enum name.
absl::StatusOr<v1::ExportFormat> FormatParam(const Request& request) {
  const std::string value = Param(request, "format");
  if (value == "csv") return v1::EXPORT_FORMAT_CSV;
  if (value == "x12") return v1::EXPORT_FORMAT_X12_837P;
  if (value == "fhir") return v1::EXPORT_FORMAT_FHIR_R4;
  v1::ExportFormat format = v1::EXPORT_FORMAT_UNSPECIFIED;
  if (v1::ExportFormat_Parse(value, &format) && format != v1::EXPORT_FORMAT_UNSPECIFIED) {
    return format;
  }
  return absl::InvalidArgumentError("format: must be csv, x12 or fhir");
}

struct FileKind {
  const char* extension;
  const char* content_type;
};

FileKind KindOf(v1::ExportFormat format) {
  switch (format) {
    case v1::EXPORT_FORMAT_X12_837P:
      return {"837", "application/edi-x12"};
    case v1::EXPORT_FORMAT_FHIR_R4:
      return {"json", "application/fhir+json"};
    default:
      return {"csv", "text/csv; charset=utf-8"};
  }
}

// The most claims an export names in its X-Unitclock-Skipped-Claims header.
constexpr std::size_t kMaxSkippedInHeader = 20;

}  // namespace

// One Server-Sent Events stream of WatchSession or WatchMonitoring: the
// progress as of each tick, sent when it changed, until the session stops
// (the episode ends) or the client leaves.
class HttpApi::LiveWatch {
 public:
  // The progress of a watch as of now, as WatchSession's or WatchMonitoring's
  // gRPC handler computes it; `over` tells whether it is the last one.
  template <typename Message>
  using ProgressFn = absl::StatusOr<Message> (CodingServiceImpl::*)(const CodingServiceImpl::Watch&,
                                                                    bool&) const;

  template <typename Message>
  LiveWatch(CodingServiceImpl& coding, CodingServiceImpl::Watch watch,
            std::shared_ptr<http::EventStream> stream, ProgressFn<Message> progress)
      : watch_(std::move(watch)),
        stream_(std::move(stream)),
        progress_([&coding, progress](const CodingServiceImpl::Watch& w,
                                      bool& over) -> absl::StatusOr<std::string> {
          absl::StatusOr<Message> next = (coding.*progress)(w, over);
          if (!next.ok()) return next.status();
          return ToJson(*next);
        }) {}

  // Sends the progress if it changed; false once the watch is over.
  bool Tick() {
    std::lock_guard lock(mu_);
    if (over_) return false;
    if (!stream_->IsOpen()) return End();
    bool stopped = false;
    absl::StatusOr<std::string> progress = progress_(watch_, stopped);
    if (!progress.ok()) {
      stream_->Send(
          http::ErrorJson(http::HttpStatusFor(progress.status().code()), progress.status().code(),
                          std::string(progress.status().message())),
          "error");
      return End();
    }
    std::string json = *std::move(progress);
    if (json != last_ && !stream_->Send(json)) return End();
    last_ = std::move(json);
    if (stopped) return End();
    return true;
  }

 private:
  bool End() {
    over_ = true;
    stream_->Close();
    watch_.slot = StreamSlot();  // no longer one of the platform's streams
    return false;
  }

  std::mutex mu_;
  CodingServiceImpl::Watch watch_;
  const std::shared_ptr<http::EventStream> stream_;
  const std::function<absl::StatusOr<std::string>(const CodingServiceImpl::Watch&, bool&)>
      progress_;
  std::string last_;
  bool over_ = false;
};

HttpApi::HttpApi(SessionServiceImpl& sessions, CodingServiceImpl& coding, ReviewServiceImpl& review,
                 const CallerServiceImpl& caller)
    : sessions_(sessions), coding_(coding), review_(review), caller_(caller), ticker_([this] {
        TickWatches();
      }) {}

HttpApi::~HttpApi() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  ticker_.join();
}

void HttpApi::TickWatches() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, coding_.watch_interval(), [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::shared_ptr<LiveWatch>> watches = watches_;
    lock.unlock();
    std::vector<LiveWatch*> over;
    for (const auto& watch : watches) {
      if (!watch->Tick()) over.push_back(watch.get());
    }
    lock.lock();
    std::erase_if(watches_, [&](const auto& w) {
      return std::find(over.begin(), over.end(), w.get()) != over.end();
    });
  }
}

template <typename Message>
http::Response HttpApi::Watch(absl::StatusOr<CodingServiceImpl::Watch> watch,
                              absl::StatusOr<Message> (CodingServiceImpl::*progress)(
                                  const CodingServiceImpl::Watch&, bool&) const) {
  if (!watch.ok()) return Response::Error(watch.status());
  // The first progress goes at once; the ticker sends the next ones.
  auto held = std::make_shared<CodingServiceImpl::Watch>(*std::move(watch));
  return Response::Stream([this, held, progress](std::shared_ptr<http::EventStream> stream) {
    auto live = std::make_shared<LiveWatch>(coding_, std::move(*held), stream, progress);
    if (!live->Tick()) return;
    std::lock_guard lock(mu_);
    if (!stopping_) watches_.push_back(std::move(live));
  });
}

absl::Status HttpApi::AddRoutes(http::Router& router) {
  std::vector<absl::Status> added;
  added.push_back(router.Add("GET", "/v1/caller", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {}); !st.ok()) return Response::Error(st);
    v1::Caller response;
    return Reply(caller_.Get(request.Authorization(), v1::GetCallerRequest(), response), response);
  }));

  added.push_back(router.Add("GET", "/v1/suggestions", [this](const Request& request) {
    absl::Status st = OnlyParameters(request, {"platform", "provider_ref", "date_min", "date_max",
                                               "state", "include_provisional"});
    v1::ListSuggestionsRequest call;
    call.set_platform(Param(request, "platform"));
    call.set_provider_ref(Param(request, "provider_ref"));
    call.set_date_min(Param(request, "date_min"));
    call.set_date_max(Param(request, "date_max"));
    absl::StatusOr<bool> include_provisional = BoolParam(request, "include_provisional");
    if (st.ok()) st = include_provisional.status();
    if (st.ok()) call.set_include_provisional(*include_provisional);
    const auto [first, end] = request.query.equal_range("state");
    for (auto it = first; st.ok() && it != end; ++it) {
      v1::ReviewState state = v1::REVIEW_STATE_UNSPECIFIED;
      if (!v1::ReviewState_Parse(it->second, &state)) {
        st = absl::InvalidArgumentError(
            "state: must be a ReviewState name, e.g. REVIEW_STATE_PENDING");
      }
      call.add_states(state);
    }
    if (!st.ok()) return Response::Error(st);
    v1::ListSuggestionsResponse response;
    return Reply(review_.List(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("GET", "/v1/suggestions/{id}", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {"platform"}); !st.ok()) {
      return Response::Error(st);
    }
    v1::GetSuggestionRequest call;
    call.set_name("suggestions/" + std::string(request.Param("id")));
    call.set_platform(Param(request, "platform"));
    v1::ReviewedSuggestion response;
    return Reply(review_.Get(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("POST", "/v1/suggestions/{id}:review", [this](const Request& request) {
    v1::ReviewSuggestionRequest call;
    absl::Status st = OnlyParameters(request, {});
    if (st.ok()) st = FromJson(request.body, call);
    const std::string name = "suggestions/" + std::string(request.Param("id"));
    if (st.ok() && !call.name().empty() && call.name() != name) {
      st = absl::InvalidArgumentError("name: the body names another suggestion than the path");
    }
    if (!st.ok()) return Response::Error(st);
    call.set_name(name);
    v1::ReviewedSuggestion response;
    return Reply(review_.Review(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("GET", "/v1/audit", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {"platform", "patient_ref", "date"}); !st.ok()) {
      return Response::Error(st);
    }
    v1::ListAuditRecordsRequest call;
    call.set_platform(Param(request, "platform"));
    call.set_patient_ref(Param(request, "patient_ref"));
    call.set_date_of_service(Param(request, "date"));
    v1::ListAuditRecordsResponse response;
    return Reply(review_.Audit(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("GET", "/v1/exports", [this](const Request& request) {
    absl::Status st = OnlyParameters(
        request, {"platform", "actor_ref", "format", "date_min", "date_max", "include_exported"});
    absl::StatusOr<v1::ExportFormat> format = FormatParam(request);
    absl::StatusOr<bool> include_exported = BoolParam(request, "include_exported");
    if (st.ok()) st = format.status();
    if (st.ok()) st = include_exported.status();
    if (!st.ok()) return Response::Error(st);
    v1::ExportClaimsRequest call;
    call.set_platform(Param(request, "platform"));
    call.set_actor_ref(Param(request, "actor_ref"));
    call.set_format(*format);
    call.set_date_min(Param(request, "date_min"));
    call.set_date_max(Param(request, "date_max"));
    call.set_include_exported(*include_exported);
    absl::StatusOr<ReviewServiceImpl::PreparedExport> prepared =
        review_.PrepareExport(request.Authorization(), call);
    if (!prepared.ok()) return Response::Error(prepared.status());
    const ReviewDesk::ExportPlan& plan = prepared->plan;
    // The batch is recorded before the file leaves: a download that fails
    // on the way is exported again with include_exported=true.
    absl::StatusOr<std::string> batch_id = review_.CommitExport(plan);
    if (!batch_id.ok()) return Response::Error(batch_id.status());
    Response response;
    if (plan.data.empty()) {
      response.status = 204;  // nothing to export: no file, no batch
      response.content_type.clear();
    } else {
      const FileKind kind = KindOf(*format);
      response = Response::Download(
          "unitclock-" + call.date_min() + "_" + call.date_max() + "." + kind.extension,
          kind.content_type, plan.data);
      response.headers.emplace_back("X-Unitclock-Batch-Id", *batch_id);
      response.headers.emplace_back("X-Unitclock-Claim-Count",
                                    std::to_string(plan.batch.claim_count));
      response.headers.emplace_back("X-Unitclock-Line-Count", std::to_string(plan.line_count));
    }
    if (!plan.skipped.empty()) {
      // The claims left out, with their reasons, as ExportClaims names them.
      v1::ExportClaimsResponse skipped;
      for (std::size_t i = 0; i < plan.skipped.size() && i < kMaxSkippedInHeader; ++i) {
        v1::SkippedClaim* out = skipped.add_skipped_claims();
        out->set_name("suggestions/" + plan.skipped[i].suggestion_id);
        out->set_reason(plan.skipped[i].reason);
      }
      response.headers.emplace_back("X-Unitclock-Skipped-Count",
                                    std::to_string(plan.skipped.size()));
      google::protobuf::util::JsonPrintOptions compact;
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(skipped, &json, compact);
      response.headers.emplace_back("X-Unitclock-Skipped-Claims", json);
    }
    return response;
  }));

  added.push_back(router.Add("GET", "/v1/sessions/{id}", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {"view"}); !st.ok()) return Response::Error(st);
    v1::GetSessionRequest call;
    call.set_name("sessions/" + std::string(request.Param("id")));
    const std::string view = Param(request, "view");
    v1::SessionView parsed = v1::SESSION_VIEW_UNSPECIFIED;
    if (view == "basic" || view == "full") {
      call.set_view(view == "basic" ? v1::SESSION_VIEW_BASIC : v1::SESSION_VIEW_FULL);
    } else if (v1::SessionView_Parse(view, &parsed)) {
      call.set_view(parsed);
    } else if (!view.empty()) {
      return Response::Error(absl::InvalidArgumentError("view: must be basic or full"));
    }
    v1::Session response;
    return Reply(sessions_.Get(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("GET", "/v1/sessions/{id}:watch", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {}); !st.ok()) return Response::Error(st);
    v1::WatchSessionRequest call;
    call.set_name("sessions/" + std::string(request.Param("id")));
    return Watch(coding_.StartWatch(request.Authorization(), call),
                 LiveWatch::ProgressFn<v1::SessionProgress>(&CodingServiceImpl::Progress));
  }));

  added.push_back(router.Add("GET", "/v1/monitoring", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {"platform", "patient_ref", "month"}); !st.ok()) {
      return Response::Error(st);
    }
    v1::SuggestMonitoringCodesRequest call;
    v1::PatientMonth* month = call.mutable_patient_month();
    month->set_platform(Param(request, "platform"));
    month->set_patient_ref(Param(request, "patient_ref"));
    month->set_month(Param(request, "month"));
    v1::SuggestMonitoringCodesResponse response;
    return Reply(coding_.SuggestMonitoring(request.Authorization(), call, response), response);
  }));

  added.push_back(router.Add("GET", "/v1/episodes/{id}:watch", [this](const Request& request) {
    if (absl::Status st = OnlyParameters(request, {}); !st.ok()) return Response::Error(st);
    v1::WatchMonitoringRequest call;
    call.set_name("episodes/" + std::string(request.Param("id")));
    return Watch(
        coding_.StartMonitoringWatch(request.Authorization(), call),
        LiveWatch::ProgressFn<v1::MonitoringProgress>(&CodingServiceImpl::MonitoringProgressOf));
  }));

  for (const absl::Status& st : added) {
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace unitclock::service
