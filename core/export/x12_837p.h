#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "core/export/claim.h"
#include "core/time.h"

// ASC X12 837 Professional, version 005010X222A1: the claim file a
// clearinghouse accepts from a billing system.
namespace unitclock::core::exports {

// The interchange's envelope: numbers the sender keeps unique, and the time
// the file is created (the core never reads a clock).
struct X12Envelope {
  std::int64_t interchange_control_number = 1;  // ISA13/IEA02, 1..999999999
  int group_control_number = 1;                 // GS06/GE02, 1..999999999
  TimePoint created_at;  // UTC: ISA09 YYMMDD, ISA10 HHMM, GS04 CCYYMMDD, GS05 HHMM, BHT04/05
};

// Checks the envelope's ranges. OK, or INVALID_ARGUMENT naming the field, e.g.
// "interchange_control_number: must be 1 to 999999999". Pure.
absl::Status CheckEnvelope(const X12Envelope& envelope);

// Writes `claims` as one interchange with one functional group (GS*HC) and one
// transaction set (ST*837*0001), segments ended by "~" (no line breaks),
// elements by "*", components by ":", repetitions "^" (ISA11):
//
//   ISA GS ST BHT                      header (BHT03 = the interchange control number)
//   NM1*41 PER*IC                      1000A submitter
//   NM1*40                             1000B receiver
//   HL*1**20*1 NM1*85 N3 N4 REF*EI     2000A/2010AA billing provider
//   per claim:
//     HL*n*1*22*0 SBR NM1*IL NM1*PR    2000B/2010BA/2010BB subscriber (= patient), payer
//     CLM [HI]                         2300 claim: CLM01 = PatientControlNumber, CLM05 = POS:B:1
//     per line: LX SV1 DTP*472         2400 service line
//   SE GE IEA                          counts and control numbers
//
// One claim (CLM) per Claim; a Claim without lines is skipped. Charges are
// config.charge_cents[code] x units (0 for a code without a charge), written
// as decimals without trailing zeros ("90", "45.5", "0"); CLM02 is their sum.
// The first line's place of service is the claim's (CLM05). SBR09 is MB for
// payer_id "medicare", CI otherwise. At most 4 modifiers a line are written
// (SV101-3..6); the rest are dropped. HI*ABK and the SV107 pointer are written
// only when config.default_diagnosis is set (a placeholder: see claim.h).
// unitclock holds no demographics: the patient's NM1*IL carries patient_ref as
// the last name and the member id, and 2010BA's N3/N4/DMG, 2010AA's 9-digit
// ZIP rule and the rendering provider (2310B) are left to the billing system.
// Values are written as given: call CheckExportable (billing_config.h) and
// CheckEnvelope first. Pure and thread-safe.
std::string WriteX12_837P(std::span<const Claim> claims, const BillingConfig& config,
                          const X12Envelope& envelope);

// The claim's CLM01, the patient control number the payer echoes back in its
// remittance: the suggestion id when it fits CLM01's 38 characters, else "u"
// and the FNV-1a 64-bit hash of the id in 16 hex digits (17 characters),
// stable for the id. (A suggestion id names its patient reference, which may
// be 128 characters long.) Pure.
std::string PatientControlNumber(const std::string& suggestion_id);

}  // namespace unitclock::core::exports
