#pragma once

#include <span>
#include <string>

#include "core/export/claim.h"
#include "core/time.h"

// FHIR R4 export: a Bundle of Claim resources, for billing systems that take
// FHIR (http://hl7.org/fhir/R4/claim.html).
namespace unitclock::core::exports {

// Writes `claims` as a FHIR R4 Bundle (JSON, type "collection", timestamp
// `created_at`) with one Claim per Claim that has lines, in input order:
//   fullUrl         "urn:uuid:<UUID v5 of suggestion_id>", also the resource id,
//                   so a re-export of the same suggestion has the same id
//   identifier      system "urn:unitclock:suggestion-id", value suggestion_id
//   status active, use claim, type professional (claim-type), priority normal
//   patient         identifier only: system "urn:unitclock:patient-ref", value
//                   patient_ref (unitclock holds no names; the billing system
//                   maps refs to patients)
//   created         `created_at`
//   provider        the billing provider: identifier NPI (us-npi), display name
//   careTeam[0]     provider_ref (system "urn:unitclock:provider-ref"), if set
//   diagnosis[0]    config.default_diagnosis as ICD-10-CM (with its dot), if set
//                   (a placeholder: see claim.h)
//   insurance[0]    sequence 1, focal, coverage.display = the payer's name
//   item[]          one per line: sequence, productOrService (CPT), modifier[]
//                   (all of them, same system), quantity = units, servicedDate,
//                   locationCodeableConcept (CMS place of service), unitPrice and
//                   net from config.charge_cents in USD (0 without a charge)
//   total           sum of the items' net
// Pure and thread-safe.
std::string WriteFhirBundle(std::span<const Claim> claims, const BillingConfig& config,
                            TimePoint created_at);

}  // namespace unitclock::core::exports
