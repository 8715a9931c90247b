#include "examples/scenario/period_text.h"

#include <gtest/gtest.h>

namespace unitclock::examples {
namespace {

v1::Suggestion Month() {
  v1::Suggestion s;
  v1::MonitoringPeriod& p = *s.mutable_monitoring();
  p.set_kind(v1::MONITORING_PERIOD_KIND_CALENDAR_MONTH);
  p.set_first_date("2026-10-01");
  p.set_last_date("2026-10-31");
  p.set_management_minutes(21);
  v1::InteractiveContact& visit = *p.add_interactive_contacts();
  visit.set_session_id("visit-2026-10-14");
  visit.set_modality(v1::MODALITY_AUDIO_VIDEO);
  return s;
}

TEST(MonitoringPeriodText, AMonthSaysItsMinutesAndContacts) {
  EXPECT_EQ(DescribeMonitoringPeriod(Month()),
            "2026-10 calendar month, 21 min, contact: visit visit-2026-10-14");
}

TEST(MonitoringPeriodText, CallsAssistantTimeAndProvisional) {
  v1::Suggestion s = Month();
  v1::MonitoringPeriod& p = *s.mutable_monitoring();
  p.set_provisional(true);
  p.set_assistant_minutes(5);
  v1::InteractiveContact& call = *p.add_interactive_contacts();
  call.set_event_id("ev-9");
  call.set_modality(v1::MODALITY_AUDIO_ONLY);
  EXPECT_EQ(DescribeMonitoringPeriod(s),
            "2026-10 calendar month, 21 min (5 by assistant), contacts: visit visit-2026-10-14, "
            "call ev-9 (audio only), provisional");
  p.clear_interactive_contacts();
  EXPECT_EQ(DescribeMonitoringPeriod(s),
            "2026-10 calendar month, 21 min (5 by assistant), no contact yet, provisional");
  p.set_provisional(false);
  EXPECT_EQ(DescribeMonitoringPeriod(s),
            "2026-10 calendar month, 21 min (5 by assistant), no contact");
}

TEST(MonitoringPeriodText, ADevicePeriodSaysItsDatesAndDays) {
  v1::Suggestion s;
  v1::MonitoringPeriod& p = *s.mutable_monitoring();
  p.set_kind(v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD);
  p.set_first_date("2026-10-01");
  p.set_last_date("2026-10-30");
  for (int d = 1; d <= 18; ++d) p.add_device_data_dates("2026-10-" + std::to_string(d));
  EXPECT_EQ(DescribeMonitoringPeriod(s), "device period 2026-10-01..2026-10-30, 18 days");
  p.set_provisional(true);
  p.clear_device_data_dates();
  p.add_device_data_dates("2026-10-01");
  EXPECT_EQ(DescribeMonitoringPeriod(s),
            "device period 2026-10-01..2026-10-30, 1 day, provisional");
}

TEST(MonitoringPeriodText, AVisitHasNoPeriod) {
  EXPECT_EQ(DescribeMonitoringPeriod(v1::Suggestion()), "");
}

TEST(MonitoringPeriodText, LineBasisIsMinutesOrDays) {
  v1::SuggestedLine time;
  time.set_minutes(21);
  EXPECT_EQ(LineBasis(time), "(21 min)");
  v1::SuggestedLine device;
  v1::UnitProvenance& u = *device.add_unit_provenance();
  u.add_dates("2026-10-01");
  u.add_dates("2026-10-02");
  EXPECT_EQ(LineBasis(device), "(2 days)");
  EXPECT_EQ(LineBasis(v1::SuggestedLine()), "");
}

}  // namespace
}  // namespace unitclock::examples
