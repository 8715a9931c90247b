#pragma once

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/export/claim.h"

// The billing configuration file (core/policies/billing.json): the
// identities the exports write (submitter, receiver, billing provider,
// payers) and the charge of each code. Its layout:
//
//   {
//     "format_version": 1,
//     "description": "free text (optional)",
//     "production": false,                     // optional; ISA15 P if true, else T
//     "submitter": {"name": ..., "id": ..., "contact": ..., "phone": "5555550100"},
//     "receiver": {"name": ..., "id": ...},
//     "billing_provider": {"name": ..., "npi": "1234567893", "tax_id": "123456789",
//                          "address": ..., "city": ..., "state": "CA", "zip": "94105"},
//     "interchange": {"sender_id": ..., "receiver_id": ...},   // ISA06 / ISA08
//     "default_diagnosis": "M6281",            // optional; a PLACEHOLDER, see claim.h
//     "payers": {"<payer_id>": {"name": ..., "id": ...}, ...},
//     "charge_cents": {"97110": 4500, ...}     // per unit
//   }
//
// Every value written into X12 must not contain an X12 delimiter (~ * : ^).
namespace unitclock::core::exports {

// Parses and validates the billing configuration. `source` names the file in
// errors. Returns the configuration, or INVALID_ARGUMENT
// "<source>: <key>: <problem>" with nested keys dotted, e.g.
//   "billing.json: billing_provider.npi: must be 10 digits"
//   "billing.json: payers.medicare.name: required"
//   "billing.json: charge_cents.9711: must be a 5-digit code"
// Rules: format_version 1; no unknown key and no key twice in one object;
// every name and id non-empty; NPI 10 digits with a valid check digit; tax id
// 9 digits; state 2 upper-case letters; zip 5 or 9 digits; phone 10 digits;
// ISA sender and receiver ids 1 to 15 characters; default_diagnosis, if given,
// an ICD-10-CM code without the dot; charges whole cents >= 0 keyed by 5-digit
// codes; at least one payer. Thread-safe (pure).
absl::StatusOr<BillingConfig> ParseBillingConfig(std::string_view json, const std::string& source);

// Checks that every claim can be exported with `config`: its payer is in
// config.payers, it has at least one line, each line's code has a charge,
// 1 to 99 units, at most 4 modifiers, a 2-digit place of service, and no
// X12 delimiter in the fields X12 writes. Returns OK or INVALID_ARGUMENT
// naming the claim and field, e.g.
//   "claims[1] (s-2): payer_id: \"aetna\" is not in the billing config".
// The writers do not fail: without this check an unknown payer is written
// under its payer_id and a code without a charge at 0. Pure.
absl::Status CheckExportable(std::span<const Claim> claims, const BillingConfig& config);

// The same check for one claim, its message without the claim's position,
// e.g. "patient_ref: contains an X12 delimiter (~ * : ^)": what an export
// reports for a claim it leaves out while the rest of the file goes.
absl::Status CheckExportableClaim(const Claim& claim, const BillingConfig& config);

}  // namespace unitclock::core::exports
