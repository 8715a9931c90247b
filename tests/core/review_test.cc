#include "core/review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace unitclock::core {
namespace {

using Code = absl::StatusCode;

constexpr ReviewState kAllStates[] = {ReviewState::kPending,       ReviewState::kApproved,
                                      ReviewState::kAmended,       ReviewState::kRejected,
                                      ReviewState::kNeedsReReview, ReviewState::kExported};
constexpr ReviewAction kAllActions[] = {ReviewAction::kApprove, ReviewAction::kAmend,
                                        ReviewAction::kReject, ReviewAction::kExport};

// A request with every field it could need, so that only the state decides.
ReviewRequest Complete(ReviewAction action) {
  ReviewRequest r;
  r.action = action;
  r.reason = "documented reason";
  return r;
}

ReviewRequest Request(ReviewAction action, std::string reason = "", bool has_blocking = false) {
  ReviewRequest r;
  r.action = action;
  r.reason = std::move(reason);
  r.has_blocking = has_blocking;
  return r;
}

ReviewRecord Rec(ReviewAction action, const std::string& fingerprint) {
  ReviewRecord r;
  r.action = action;
  r.fingerprint = fingerprint;
  return r;
}

constexpr ReviewAction kApprove = ReviewAction::kApprove;
constexpr ReviewAction kAmend = ReviewAction::kAmend;
constexpr ReviewAction kReject = ReviewAction::kReject;
constexpr ReviewAction kExport = ReviewAction::kExport;

// ---- CheckReview: every state against every action ----

struct Transition {
  ReviewState state;
  ReviewAction action;
  Code code;
  const char* message;  // empty when OK
};

constexpr const char* kNotAnAction = "action: must be approve, amend or reject";
constexpr const char* kAlreadyApproved =
    "suggestion is already approved; amend or reject it instead";
constexpr const char* kAlreadyRejected = "suggestion is already rejected";
constexpr const char* kAlreadyExported =
    "suggestion is already exported; it can be reviewed again only if its numbers change";

constexpr Transition kTransitions[] = {
    {ReviewState::kPending, kApprove, Code::kOk, ""},
    {ReviewState::kPending, kAmend, Code::kOk, ""},
    {ReviewState::kPending, kReject, Code::kOk, ""},
    {ReviewState::kPending, kExport, Code::kInvalidArgument, kNotAnAction},
    {ReviewState::kApproved, kApprove, Code::kFailedPrecondition, kAlreadyApproved},
    {ReviewState::kApproved, kAmend, Code::kOk, ""},
    {ReviewState::kApproved, kReject, Code::kOk, ""},
    {ReviewState::kApproved, kExport, Code::kInvalidArgument, kNotAnAction},
    {ReviewState::kAmended, kApprove, Code::kFailedPrecondition, kAlreadyApproved},
    {ReviewState::kAmended, kAmend, Code::kOk, ""},
    {ReviewState::kAmended, kReject, Code::kOk, ""},
    {ReviewState::kAmended, kExport, Code::kInvalidArgument, kNotAnAction},
    {ReviewState::kRejected, kApprove, Code::kOk, ""},
    {ReviewState::kRejected, kAmend, Code::kOk, ""},
    {ReviewState::kRejected, kReject, Code::kFailedPrecondition, kAlreadyRejected},
    {ReviewState::kRejected, kExport, Code::kInvalidArgument, kNotAnAction},
    {ReviewState::kNeedsReReview, kApprove, Code::kOk, ""},
    {ReviewState::kNeedsReReview, kAmend, Code::kOk, ""},
    {ReviewState::kNeedsReReview, kReject, Code::kOk, ""},
    {ReviewState::kNeedsReReview, kExport, Code::kInvalidArgument, kNotAnAction},
    {ReviewState::kExported, kApprove, Code::kFailedPrecondition, kAlreadyExported},
    {ReviewState::kExported, kAmend, Code::kFailedPrecondition, kAlreadyExported},
    {ReviewState::kExported, kReject, Code::kFailedPrecondition, kAlreadyExported},
    {ReviewState::kExported, kExport, Code::kInvalidArgument, kNotAnAction},
};

TEST(CheckReview, EveryStateAndActionHasItsOutcome) {
  for (const Transition& t : kTransitions) {
    const absl::Status s = CheckReview(t.state, Complete(t.action));
    EXPECT_EQ(s.code(), t.code) << ReviewStateName(t.state) << " x " << ReviewActionName(t.action)
                                << ": " << s;
    EXPECT_EQ(s.message(), t.message)
        << ReviewStateName(t.state) << " x " << ReviewActionName(t.action);
  }
}

TEST(CheckReview, TheTableCoversEveryStateAndAction) {
  int covered = 0;
  for (ReviewState state : kAllStates) {
    for (ReviewAction action : kAllActions) {
      int rows = 0;
      for (const Transition& t : kTransitions) rows += (t.state == state && t.action == action);
      EXPECT_EQ(rows, 1) << ReviewStateName(state) << " x " << ReviewActionName(action);
      ++covered;
    }
  }
  EXPECT_EQ(covered, 24);
}

// ---- CheckReview: fields ----

TEST(CheckReview, AmendAndRejectNeedAReason) {
  const ReviewRequest amend = Request(kAmend);
  EXPECT_EQ(CheckReview(ReviewState::kPending, amend),
            absl::InvalidArgumentError("reason: required to amend"));
  const ReviewRequest reject = Request(kReject);
  EXPECT_EQ(CheckReview(ReviewState::kPending, reject),
            absl::InvalidArgumentError("reason: required to reject"));
}

TEST(CheckReview, AReasonOfOnlyBlanksIsMissing) {
  const ReviewRequest reject = Request(kReject, " \t\n");
  EXPECT_EQ(CheckReview(ReviewState::kPending, reject),
            absl::InvalidArgumentError("reason: required to reject"));
}

TEST(CheckReview, ApproveNeedsNoReason) {
  EXPECT_TRUE(CheckReview(ReviewState::kPending, Request(kApprove)).ok());
}

TEST(CheckReview, ApprovingOrAmendingOverABlockingWarningNeedsAnOverrideReason) {
  const absl::Status missing = absl::InvalidArgumentError(
      "override_reason: required to approve a line with a blocking warning");
  for (ReviewAction action : {kApprove, kAmend}) {
    ReviewRequest r = Complete(action);
    r.has_blocking = true;
    EXPECT_EQ(CheckReview(ReviewState::kPending, r), missing) << ReviewActionName(action);
    r.override_reason = "  ";
    EXPECT_EQ(CheckReview(ReviewState::kPending, r), missing) << ReviewActionName(action);
    r.override_reason = "payer confirmed by phone";
    EXPECT_TRUE(CheckReview(ReviewState::kPending, r).ok()) << ReviewActionName(action);
  }
}

TEST(CheckReview, RejectingOverABlockingWarningNeedsNoOverride) {
  ReviewRequest r = Complete(kReject);
  r.has_blocking = true;
  EXPECT_TRUE(CheckReview(ReviewState::kPending, r).ok());
}

TEST(CheckReview, FieldErrorsComeBeforeTheState) {
  // Exported refuses every action, but a request missing a field hears about the field.
  EXPECT_EQ(CheckReview(ReviewState::kExported, Request(kAmend)).code(), Code::kInvalidArgument);
  ReviewRequest blocked = Complete(kApprove);
  blocked.has_blocking = true;
  EXPECT_EQ(CheckReview(ReviewState::kApproved, blocked).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckReview(ReviewState::kRejected, Request(kReject)),
            absl::InvalidArgumentError("reason: required to reject"));
}

TEST(CheckReview, AMissingReasonIsReportedBeforeAMissingOverride) {
  const ReviewRequest r = Request(kAmend, "", /*has_blocking=*/true);
  EXPECT_EQ(CheckReview(ReviewState::kPending, r),
            absl::InvalidArgumentError("reason: required to amend"));
}

// ---- CurrentReviewState: every history shape ----

TEST(CurrentReviewState, NoHistoryIsPending) {
  EXPECT_EQ(CurrentReviewState({}, "fp1"), ReviewState::kPending);
}

TEST(CurrentReviewState, EachDecisionOnTheCurrentContentGivesItsState) {
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1")}, "fp1"), ReviewState::kApproved);
  EXPECT_EQ(CurrentReviewState({Rec(kAmend, "fp1")}, "fp1"), ReviewState::kAmended);
  EXPECT_EQ(CurrentReviewState({Rec(kReject, "fp1")}, "fp1"), ReviewState::kRejected);
}

TEST(CurrentReviewState, ExportsWithoutADecisionLeaveItPending) {
  EXPECT_EQ(CurrentReviewState({Rec(kExport, "fp1")}, "fp1"), ReviewState::kPending);
}

TEST(CurrentReviewState, ADecisionOnOtherContentNeedsReReview) {
  for (ReviewAction decision : {kApprove, kAmend, kReject}) {
    EXPECT_EQ(CurrentReviewState({Rec(decision, "fp1")}, "fp2"), ReviewState::kNeedsReReview)
        << ReviewActionName(decision);
  }
}

TEST(CurrentReviewState, AnExportAfterTheDecisionIsExported) {
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1"), Rec(kExport, "fp1")}, "fp1"),
            ReviewState::kExported);
  EXPECT_EQ(
      CurrentReviewState({Rec(kAmend, "fp1"), Rec(kExport, "fp1"), Rec(kExport, "fp1")}, "fp1"),
      ReviewState::kExported);
}

TEST(CurrentReviewState, ChangedNumbersAfterAnExportNeedReReview) {
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1"), Rec(kExport, "fp1")}, "fp2"),
            ReviewState::kNeedsReReview);
}

TEST(CurrentReviewState, AnExportOfOtherContentThanTheDecisionNeedsReReview) {
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1"), Rec(kExport, "fp0")}, "fp1"),
            ReviewState::kNeedsReReview);
}

TEST(CurrentReviewState, ApprovingAfterARejectReopens) {
  EXPECT_EQ(CurrentReviewState({Rec(kReject, "fp1"), Rec(kApprove, "fp1")}, "fp1"),
            ReviewState::kApproved);
}

TEST(CurrentReviewState, TheLastDecisionCounts) {
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1"), Rec(kAmend, "fp1")}, "fp1"),
            ReviewState::kAmended);
  EXPECT_EQ(CurrentReviewState({Rec(kApprove, "fp1"), Rec(kReject, "fp1")}, "fp1"),
            ReviewState::kRejected);
}

TEST(CurrentReviewState, ApprovingTheNewContentAfterAChangeClearsReReview) {
  const std::vector<ReviewRecord> history = {Rec(kApprove, "fp1"), Rec(kApprove, "fp2")};
  EXPECT_EQ(CurrentReviewState(history, "fp2"), ReviewState::kApproved);
  EXPECT_EQ(CurrentReviewState(history, "fp3"), ReviewState::kNeedsReReview);
}

TEST(CurrentReviewState, ADecisionAfterAnExportStartsOver) {
  // Exported, numbers changed, re-approved: approved again, exportable again.
  EXPECT_EQ(
      CurrentReviewState({Rec(kApprove, "fp1"), Rec(kExport, "fp1"), Rec(kApprove, "fp2")}, "fp2"),
      ReviewState::kApproved);
}

// ---- IsExportable ----

TEST(IsExportable, ApprovedAndAmendedOnlyAndExportedWhenAsked) {
  struct Row {
    ReviewState state;
    bool plain;
    bool with_exported;
  };
  constexpr Row kRows[] = {
      {ReviewState::kPending, false, false},       {ReviewState::kApproved, true, true},
      {ReviewState::kAmended, true, true},         {ReviewState::kRejected, false, false},
      {ReviewState::kNeedsReReview, false, false}, {ReviewState::kExported, false, true},
  };
  for (const Row& row : kRows) {
    EXPECT_EQ(IsExportable(row.state, false), row.plain) << ReviewStateName(row.state);
    EXPECT_EQ(IsExportable(row.state, true), row.with_exported) << ReviewStateName(row.state);
  }
}

// ---- Names ----

TEST(ReviewNames, AreStableLowerSnake) {
  std::vector<std::string> actions;
  for (ReviewAction a : kAllActions) actions.push_back(ReviewActionName(a));
  EXPECT_THAT(actions, ::testing::ElementsAre("approve", "amend", "reject", "export"));
  std::vector<std::string> states;
  for (ReviewState s : kAllStates) states.push_back(ReviewStateName(s));
  EXPECT_THAT(states, ::testing::ElementsAre("pending", "approved", "amended", "rejected",
                                             "needs_rereview", "exported"));
}

TEST(ReviewNames, ActionsParseBackFromTheirNames) {
  for (ReviewAction a : kAllActions) EXPECT_EQ(ReviewActionFromName(ReviewActionName(a)), a);
  EXPECT_EQ(ReviewActionFromName("approved"), std::nullopt);
  EXPECT_EQ(ReviewActionFromName(""), std::nullopt);
}

// ---- Suggestion ids ----

SuggestionKey Key(std::string patient, std::string payer = "medicare",
                  Discipline discipline = Discipline::kPhysicalTherapy,
                  MonitoringPeriodKind period = MonitoringPeriodKind::kNone) {
  return {std::move(patient), *ParseDay("2026-11-27"), std::move(payer), discipline, period};
}

TEST(SuggestionIds, NameTheirKeyAndParseBack) {
  EXPECT_EQ(SuggestionId(Key("pt-4f9c2a")), "2026-11-27.pt.bWVkaWNhcmU.cHQtNGY5YzJh");
  for (const SuggestionKey& key :
       {Key("pt-4f9c2a"), Key("a b/c?d#e.f~g", "blue cross.tx", Discipline::kSpeechLanguage),
        Key(std::string(128, 'z'), std::string(64, '.'), Discipline::kOccupationalTherapy),
        Key("x", "y", Discipline::kUnspecified),
        Key("pt-4f9c2a", "medicare", Discipline::kPhysicalTherapy,
            MonitoringPeriodKind::kCalendarMonth),
        Key("pt-4f9c2a", "medicare", Discipline::kSpeechLanguage,
            MonitoringPeriodKind::kDevicePeriod)}) {
    const std::string id = SuggestionId(key);
    EXPECT_LE(id.size(), kMaxSuggestionIdLength);
    // Letters, digits and - _ . only: safe in a resource name and a URL.
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_."),
              std::string::npos)
        << id;
    EXPECT_EQ(ParseSuggestionId(id), key) << id;
  }
}

TEST(SuggestionIds, DifferentKeysHaveDifferentIds) {
  const std::set<std::string> ids = {
      SuggestionId(Key("pt-1")),
      SuggestionId(Key("pt-2")),
      SuggestionId(Key("pt-1", "aetna")),
      SuggestionId(Key("pt-1", "medicare", Discipline::kOccupationalTherapy)),
      SuggestionId({"pt-1", *ParseDay("2026-11-28"), "medicare", Discipline::kPhysicalTherapy,
                    MonitoringPeriodKind::kNone}),
      SuggestionId(Key("pt-1", "medicare", Discipline::kPhysicalTherapy,
                       MonitoringPeriodKind::kCalendarMonth)),
      SuggestionId(Key("pt-1", "medicare", Discipline::kPhysicalTherapy,
                       MonitoringPeriodKind::kDevicePeriod))};
  EXPECT_EQ(ids.size(), 7u);
}

TEST(SuggestionIds, MonitoringPeriodsMarkTheirDiscipline) {
  EXPECT_EQ(SuggestionId(Key("pt-4f9c2a", "medicare", Discipline::kPhysicalTherapy,
                             MonitoringPeriodKind::kCalendarMonth)),
            "2026-11-27.pt-rtm.bWVkaWNhcmU.cHQtNGY5YzJh");
  EXPECT_EQ(SuggestionId(Key("pt-4f9c2a", "medicare", Discipline::kOccupationalTherapy,
                             MonitoringPeriodKind::kDevicePeriod)),
            "2026-11-27.ot-rtmd.bWVkaWNhcmU.cHQtNGY5YzJh");
  Suggestion month;
  month.patient_ref = "pt-4f9c2a";
  month.date_of_service = *ParseDay("2026-11-30");
  month.payer_id = "medicare";
  month.discipline = Discipline::kPhysicalTherapy;
  month.monitoring = MonitoringPeriod{};
  month.monitoring->kind = MonitoringPeriodKind::kCalendarMonth;
  EXPECT_EQ(KeyOf(month).period, MonitoringPeriodKind::kCalendarMonth);
  month.monitoring.reset();
  EXPECT_EQ(KeyOf(month).period, MonitoringPeriodKind::kNone);
}

TEST(SuggestionIds, AnythingElseIsNoId) {
  const std::string good = SuggestionId(Key("pt-4f9c2a"));
  for (const std::string& bad :
       {std::string(""), std::string("s0123456789abcdef"), std::string("2026-11-27.pt.bWVkaWNhcmU"),
        good + ".x", std::string("2026-13-27.pt.bWVkaWNhcmU.cHQtNGY5YzJh"),
        std::string("2026-11-27.xx.bWVkaWNhcmU.cHQtNGY5YzJh"),
        std::string("2026-11-27.pt-rtmx.bWVkaWNhcmU.cHQtNGY5YzJh"),
        std::string("2026-11-27.rtm.bWVkaWNhcmU.cHQtNGY5YzJh"),
        std::string("2026-11-27.pt-rtm-rtm.bWVkaWNhcmU.cHQtNGY5YzJh"),
        std::string("2026-11-27.pt..cHQtNGY5YzJh"),              // empty payer
        std::string("2026-11-27.pt.bWVkaWNhcmU.cHQtNGY5YzJh="),  // padded: not canonical
        std::string("2026-11-27.pt.bWVkaWNhcmU.cHQt*GY5YzJh"), std::string(".."),
        std::string(kMaxSuggestionIdLength + 1, 'a')}) {
    EXPECT_EQ(ParseSuggestionId(bad), std::nullopt) << bad;
  }
}

// ---- Amended lines ----

CodeCatalogue Catalogue() {
  CodeEntry exercise;
  exercise.code = "97110";
  CodeEntry massage;
  massage.code = "97124";
  return CodeCatalogue({exercise, massage});
}

ApprovedLine Line(std::string code = "97110", int units = 2) {
  return {std::move(code), units, {"GP", "95"}, "10", 25};
}

TEST(CheckAmendedLines, AcceptsWellFormedLines) {
  EXPECT_TRUE(CheckAmendedLines({Line(), Line("97124", 1)}, Catalogue()).ok());
}

TEST(CheckAmendedLines, NamesTheFieldOfEachProblem) {
  struct Case {
    ApprovedLine line;
    const char* message;
  };
  ApprovedLine five_modifiers = Line();
  five_modifiers.modifiers = {"GP", "95", "KX", "59", "CQ"};
  ApprovedLine lower_case = Line();
  lower_case.modifiers = {"GP", "gp"};
  ApprovedLine long_modifier = Line();
  long_modifier.modifiers = {"GPX"};
  ApprovedLine bad_pos = Line();
  bad_pos.place_of_service = "1";
  ApprovedLine letters_pos = Line();
  letters_pos.place_of_service = "1a";
  ApprovedLine negative_minutes = Line();
  negative_minutes.minutes = -1;
  const Case cases[] = {
      {Line("99999"), "amended_lines[1].code: not in the code catalogue"},
      {Line("97110", 0), "amended_lines[1].units: must be 1 to 99"},
      {Line("97110", 100), "amended_lines[1].units: must be 1 to 99"},
      {five_modifiers, "amended_lines[1].modifiers: at most 4"},
      {lower_case, "amended_lines[1].modifiers[1]: must be two upper-case letters or digits"},
      {long_modifier, "amended_lines[1].modifiers[0]: must be two upper-case letters or digits"},
      {bad_pos, "amended_lines[1].place_of_service: must be two digits"},
      {letters_pos, "amended_lines[1].place_of_service: must be two digits"},
      {negative_minutes, "amended_lines[1].minutes: must not be negative"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckAmendedLines({Line(), c.line}, Catalogue()),
              absl::InvalidArgumentError(c.message));
  }
}

TEST(CheckAmendedLines, NeedsOneToThirtyTwoLines) {
  EXPECT_EQ(CheckAmendedLines({}, Catalogue()),
            absl::InvalidArgumentError("amended_lines: at least one line is required to amend"));
  EXPECT_EQ(CheckAmendedLines(std::vector<ApprovedLine>(33, Line()), Catalogue()),
            absl::InvalidArgumentError("amended_lines: at most 32 lines"));
  EXPECT_TRUE(CheckAmendedLines(std::vector<ApprovedLine>(32, Line()), Catalogue()).ok());
}

// ---- DecideReview ----

// 97110 x2 and a blocked 97124 x1 (massage over video), and a blocked line
// without a unit.
Suggestion Suggested() {
  Suggestion s;
  s.patient_ref = "pt-1";
  s.lines.push_back({"97110", "", 2, {"GP", "95"}, "10", 25, 0, {}, {}, false});
  s.lines.push_back({"97124", "", 1, {"GP", "95"}, "10", 10, 0, {}, {}, true});
  s.lines.push_back({"97112", "", 0, {"GP"}, "10", 5, 0, {}, {}, true});
  return s;
}

ReviewRequest Approve(std::string override_reason = "") {
  ReviewRequest r;
  r.action = kApprove;
  r.override_reason = std::move(override_reason);
  return r;
}

TEST(DecideReview, ApprovingTakesTheLinesWithUnits) {
  auto lines = DecideReview(ReviewState::kPending, Suggested(),
                            Approve("seen on video: light "
                                    "touch only"),
                            Catalogue());
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, (std::vector<ApprovedLine>{{"97110", 2, {"GP", "95"}, "10", 25},
                                               {"97124", 1, {"GP", "95"}, "10", 10}}));
  EXPECT_EQ(LinesToApprove(Suggested()), *lines);
}

TEST(DecideReview, ABlockingLineNeedsAnOverrideReasonToBeApproved) {
  EXPECT_EQ(DecideReview(ReviewState::kPending, Suggested(), Approve(), Catalogue()).status(),
            absl::InvalidArgumentError(
                "override_reason: required to approve a line with a blocking warning"));
  // Amending the blocked code away needs none; a blocked line without a unit
  // never needs one.
  ReviewRequest amend;
  amend.action = kAmend;
  amend.reason = "massage was not delivered";
  amend.amended_lines = {Line("97110", 2)};
  auto lines = DecideReview(ReviewState::kPending, Suggested(), amend, Catalogue());
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, amend.amended_lines);
  Suggestion only_blocked_zero = Suggested();
  only_blocked_zero.lines.erase(only_blocked_zero.lines.begin() + 1);
  EXPECT_TRUE(DecideReview(ReviewState::kPending, only_blocked_zero, Approve(), Catalogue()).ok());
}

TEST(DecideReview, ChecksAmendedLinesReasonsAndTheState) {
  ReviewRequest amend;
  amend.action = kAmend;
  amend.reason = "fewer units";
  amend.amended_lines = {Line("97110", 0)};
  EXPECT_EQ(DecideReview(ReviewState::kPending, Suggested(), amend, Catalogue()).status(),
            absl::InvalidArgumentError("amended_lines[0].units: must be 1 to 99"));
  ReviewRequest reject;
  reject.action = kReject;
  reject.reason = std::string(kMaxReasonLength + 1, 'r');
  EXPECT_EQ(DecideReview(ReviewState::kPending, Suggested(), reject, Catalogue()).status(),
            absl::InvalidArgumentError("reason: at most 2000 characters"));
  reject.reason = "not seen";
  auto rejected = DecideReview(ReviewState::kPending, Suggested(), reject, Catalogue());
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_THAT(*rejected, ::testing::IsEmpty());
  EXPECT_EQ(DecideReview(ReviewState::kRejected, Suggested(), reject, Catalogue()).status(),
            absl::FailedPreconditionError("suggestion is already rejected"));
}

// ---- History ----

TEST(ReviewHistory, TheLastDecisionsLinesAndIdCount) {
  ReviewRecord approve = Rec(kApprove, "a");
  approve.record_id = 1;
  approve.after = {Line()};
  ReviewRecord exported = Rec(kExport, "a");
  exported.record_id = 2;
  exported.after = {Line("97124", 9)};  // an export's lines are no decision
  ReviewRecord amend = Rec(kAmend, "a");
  amend.record_id = 3;
  amend.after = {Line("97110", 1)};
  ReviewRecord reject = Rec(kReject, "a");
  reject.record_id = 4;

  EXPECT_THAT(CurrentApprovedLines({}), ::testing::IsEmpty());
  EXPECT_EQ(LastDecisionId({}), 0);
  EXPECT_EQ(CurrentApprovedLines({approve, exported}), approve.after);
  EXPECT_EQ(LastDecisionId({approve, exported}), 1);
  EXPECT_EQ(CurrentApprovedLines({approve, exported, amend}), amend.after);
  EXPECT_EQ(LastDecisionId({approve, exported, amend}), 3);
  EXPECT_THAT(CurrentApprovedLines({approve, amend, reject}), ::testing::IsEmpty());
  EXPECT_EQ(LastDecisionId({approve, amend, reject}), 4);
}

}  // namespace
}  // namespace unitclock::core
