#include "core/review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  return ReviewRecord{action, fingerprint};
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

}  // namespace
}  // namespace unitclock::core
