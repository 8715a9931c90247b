#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/policy.h"

// What the exports write: approved lines, grouped into one claim per
// patient-day, and the configured identities of submitter, billing provider
// and payers. Plain values; every export format reads these and nothing else.
namespace unitclock::core::exports {

// One approved claim line.
struct ClaimLine {
  std::string code;                    // "97110"
  std::vector<std::string> modifiers;  // claim order, at most 4 are written to X12
  int units = 0;
  int minutes = 0;
  std::string place_of_service;  // "10" or "02"
  friend bool operator==(const ClaimLine&, const ClaimLine&) = default;
};

// One patient-day's approved lines: one claim.
struct Claim {
  std::string suggestion_id;  // the reviewed suggestion
  std::string review_id;      // the review action that approved it
  std::string platform;
  std::string patient_ref;   // opaque; the billing system maps it to the patient
  std::string provider_ref;  // opaque; the rendering clinician
  std::string payer_id;
  Day date_of_service;
  std::vector<ClaimLine> lines;
  friend bool operator==(const Claim&, const Claim&) = default;
};

// The file formats of an export.
enum class Format { kCsv, kX12_837P, kFhirR4 };

// What a biller asks to export: the approved lines of `platform` with dates
// of service in [first, last], as one file.
struct ExportRequest {
  std::string platform;
  std::string actor_ref;  // who exports, for the audit trail
  Format format = Format::kCsv;
  Day first{};
  Day last{};
  bool include_exported = false;  // also lines exported before (a re-export)
};

// A party of the claim: the submitter, the billing provider, a payer.
struct Party {
  std::string name;
  std::string id;  // submitter id (ETIN), NPI, or payer id as the receiver knows it
  friend bool operator==(const Party&, const Party&) = default;
};

// Billing configuration (core/policies/billing.json, parsed by
// ParseBillingConfig in core/export/billing_config.h): who sends, who bills,
// how payers and their charges are named.
struct BillingConfig {
  Party submitter;                                   // X12 NM1*41
  std::string submitter_contact;                     // PER name
  std::string submitter_phone;                       // PER telephone, digits
  Party receiver;                                    // X12 NM1*40 (the clearinghouse)
  Party billing_provider;                            // X12 NM1*85, id = NPI (10 digits)
  std::string billing_tax_id;                        // REF*EI, 9 digits
  std::string billing_address;                       // N3
  std::string billing_city;                          // N4
  std::string billing_state;                         // N4, 2 letters
  std::string billing_zip;                           // N4, 5 or 9 digits
  std::map<std::string, Party> payers;               // payer_id -> payer identity
  std::map<std::string, std::int64_t> charge_cents;  // code -> charge per unit (sample)
  std::string interchange_sender_id;                 // ISA06
  std::string interchange_receiver_id;               // ISA08
  // ICD-10-CM code written as the claim's principal diagnosis (X12 HI*ABK,
  // FHIR Claim.diagnosis). unitclock records no diagnoses: this is a
  // PLACEHOLDER the billing system must replace per patient. Empty = none
  // written (the 837P guide requires one, so the receiver will then reject).
  std::string default_diagnosis;
  bool production = false;  // ISA15: P or T
};

}  // namespace unitclock::core::exports
