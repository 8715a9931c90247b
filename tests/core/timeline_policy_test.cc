#include "core/timeline_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace unitclock::core {
namespace {

constexpr const char* kValid = R"({
  "format_version": 1,
  "description": "test",
  "idle_threshold_seconds": 120,
  "audio_only_counts_when_planned": false
})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

void ExpectError(const std::string& json, const std::string& message) {
  const auto policy = ParseTimelinePolicy(json, "timeline.json");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(policy.status().message(), message);
}

TEST(TimelinePolicy, ReadsEverySetting) {
  const auto policy = ParseTimelinePolicy(kValid, "timeline.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->idle_threshold, std::chrono::seconds(120));
  EXPECT_FALSE(policy->audio_only_counts_when_planned);
}

TEST(TimelinePolicy, TheShippedFileIsValid) {
  std::ifstream in(std::string(UNITCLOCK_POLICY_DIR) + "/timeline.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto policy = ParseTimelinePolicy(text.str(), "timeline.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->idle_threshold, std::chrono::minutes(3));
  EXPECT_TRUE(policy->audio_only_counts_when_planned);
}

TEST(TimelinePolicy, ErrorsNameTheFileTheKeyAndTheProblem) {
  ExpectError("{", "timeline.json: not valid JSON");
  ExpectError("[]", "timeline.json: must be a JSON object");
  ExpectError(Replace(kValid, "\"idle_threshold_seconds\"", "\"idle_treshold_seconds\""),
              "timeline.json: idle_treshold_seconds: unknown key");
  ExpectError(Replace(kValid, "\"format_version\": 1,", ""),
              "timeline.json: format_version: required");
  ExpectError(Replace(kValid, "\"format_version\": 1", "\"format_version\": 2"),
              "timeline.json: format_version: must be 1");
  ExpectError(Replace(kValid, "120", "5"),
              "timeline.json: idle_threshold_seconds: must be between 10 and 3600");
  ExpectError(Replace(kValid, "120", "\"120\""),
              "timeline.json: idle_threshold_seconds: must be an integer");
  ExpectError(Replace(kValid, "false", "\"no\""),
              "timeline.json: audio_only_counts_when_planned: must be true or false");
}

}  // namespace
}  // namespace unitclock::core
