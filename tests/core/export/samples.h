#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "core/export/claim.h"
#include "core/policy.h"
#include "core/time.h"

// Claims and a billing configuration for the export tests and export_samples.
namespace unitclock::core::exports::testing {

inline Day DayOf(std::string_view text) { return *ParseDay(text); }

// 2026-03-04T15:07:30.250Z.
inline TimePoint SampleTime() {
  using namespace std::chrono;
  return TimePoint{sys_days{2026y / March / 4}} + hours(15) + minutes(7) + seconds(30) +
         milliseconds(250);
}

inline BillingConfig SampleConfig() {
  BillingConfig config;
  config.submitter = {.name = "SAMPLE THERAPY GROUP", .id = "ETIN01"};
  config.submitter_contact = "BILLING OFFICE";
  config.submitter_phone = "5555550100";
  config.receiver = {.name = "SAMPLE CLEARINGHOUSE", .id = "CH01"};
  config.billing_provider = {.name = "SAMPLE THERAPY GROUP", .id = "1234567893"};
  config.billing_tax_id = "000000000";
  config.billing_address = "100 SAMPLE STREET";
  config.billing_city = "SPRINGFIELD";
  config.billing_state = "IL";
  config.billing_zip = "627010000";
  config.payers["medicare"] = {.name = "Medicare Part B", .id = "MCR01"};
  config.payers["commercial-cpt"] = {.name = "Generic commercial payer", .id = "COM01"};
  config.charge_cents = {{"97110", 4500}, {"97140", 4350}, {"97530", 5205}};
  config.interchange_sender_id = "SAMPLESENDER";
  config.interchange_receiver_id = "SAMPLERECEIVER";
  config.default_diagnosis = "M6281";
  return config;
}

// One Medicare claim with one line: 97110 GP KX, 2 units, at home.
inline Claim OneLineClaim() {
  return {.suggestion_id = "s-1",
          .review_id = "r-1",
          .platform = "clinic-a",
          .patient_ref = "p-1",
          .provider_ref = "t-7",
          .payer_id = "medicare",
          .date_of_service = DayOf("2026-03-02"),
          .lines = {{.code = "97110",
                     .modifiers = {"GP", "KX"},
                     .units = 2,
                     .minutes = 31,
                     .place_of_service = "10"}}};
}

// Two patient-days, two payers; assistant (CQ) and threshold (KX) lines.
inline std::vector<Claim> SampleClaims() {
  std::vector<Claim> claims = {OneLineClaim()};
  claims[0].lines.push_back({.code = "97140",
                             .modifiers = {"GP", "CQ", "KX"},
                             .units = 1,
                             .minutes = 12,
                             .place_of_service = "10"});
  claims.push_back({.suggestion_id = "s-2",
                    .review_id = "r-2",
                    .platform = "clinic-a",
                    .patient_ref = "p-2",
                    .provider_ref = "t-8",
                    .payer_id = "commercial-cpt",
                    .date_of_service = DayOf("2026-03-03"),
                    .lines = {{.code = "97530",
                               .modifiers = {"GP", "95"},
                               .units = 3,
                               .minutes = 44,
                               .place_of_service = "02"}}});
  return claims;
}

}  // namespace unitclock::core::exports::testing
