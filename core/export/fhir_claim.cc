#include "core/export/fhir_claim.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/export/internal/uuid.h"
#include "core/policy.h"

namespace unitclock::core::exports {
namespace {

// Keys in the order written (resourceType first), as FHIR examples read.
using json = nlohmann::ordered_json;

// uuid5(NAMESPACE_URL, "urn:unitclock:suggestion-id"): the namespace of the
// resource ids, so that ids from another name space never collide.
constexpr const char* kSuggestionNamespace = "e046c04c-be8b-5df7-9ba3-11188ad1451e";

constexpr const char* kCpt = "http://www.ama-assn.org/go/cpt";
// HCPCS Level II, as HL7 Terminology (THO) names it: its value set
// v3-HealthCareCommonProcedureCodingSystem includes this system, and CARIN
// Blue Button and current US Core use it too. (The OID form
// urn:oid:2.16.840.1.113883.6.285 appears only in older US Core releases; THO
// writes this URL with http, not https.)
constexpr const char* kHcpcs = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
constexpr const char* kPlaceOfService =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";

json Coding(const char* system, const std::string& code) {
  return {{"coding", json::array({{{"system", system}, {"code", code}}})}};
}

// CPT modifiers are two digits (59, 93, 95); HCPCS Level II modifiers have a
// letter (GP, KX, CQ, XU, and alphanumeric ones such as Q5 or F1).
const char* ModifierSystem(const std::string& modifier) {
  const bool all_digits =
      !modifier.empty() && modifier.find_first_not_of("0123456789") == std::string::npos;
  return all_digits ? kCpt : kHcpcs;
}

// FHIR decimal in USD; whole dollars stay integers ("90", not "90.0").
json Money(std::int64_t cents) {
  const json value = cents % 100 == 0 ? json(cents / 100) : json(static_cast<double>(cents) / 100);
  return {{"value", value}, {"currency", "USD"}};
}

// ICD-10-CM as FHIR writes it: a dot after the category (M6281 -> M62.81).
std::string DottedIcd10(const std::string& code) {
  return code.size() > 3 ? code.substr(0, 3) + "." + code.substr(3) : code;
}

json ClaimResource(const Claim& claim, const std::string& id, const BillingConfig& config,
                   const std::string& created) {
  const auto payer = config.payers.find(claim.payer_id);
  const std::string payer_name = payer != config.payers.end() ? payer->second.name : claim.payer_id;
  const bool has_care_team = !claim.provider_ref.empty();
  const bool has_diagnosis = !config.default_diagnosis.empty();
  const std::string day = FormatDay(claim.date_of_service);

  json items = json::array();
  std::int64_t total_cents = 0;
  for (std::size_t i = 0; i < claim.lines.size(); ++i) {
    const ClaimLine& line = claim.lines[i];
    const auto charge = config.charge_cents.find(line.code);
    const std::int64_t unit_cents = charge == config.charge_cents.end() ? 0 : charge->second;
    total_cents += unit_cents * line.units;
    json item = {{"sequence", i + 1}};
    if (has_care_team) item["careTeamSequence"] = {1};
    if (has_diagnosis) item["diagnosisSequence"] = {1};
    item["productOrService"] = Coding(kCpt, line.code);
    if (!line.modifiers.empty()) {
      // Each modifier under its own system: CPT (95) or HCPCS Level II (GP).
      json modifiers = json::array();
      for (const std::string& modifier : line.modifiers) {
        modifiers.push_back(Coding(ModifierSystem(modifier), modifier));
      }
      item["modifier"] = std::move(modifiers);
    }
    item["servicedDate"] = day;
    item["locationCodeableConcept"] = Coding(kPlaceOfService, line.place_of_service);
    item["quantity"] = {{"value", line.units}};
    item["unitPrice"] = Money(unit_cents);
    item["net"] = Money(unit_cents * line.units);
    items.push_back(std::move(item));
  }

  json resource = {
      {"resourceType", "Claim"},
      {"id", id},
      {"identifier",
       json::array({{{"system", "urn:unitclock:suggestion-id"}, {"value", claim.suggestion_id}}})},
      {"status", "active"},
      {"type", Coding("http://terminology.hl7.org/CodeSystem/claim-type", "professional")},
      {"use", "claim"},
      // No names: the billing system maps the ref to the patient.
      {"patient",
       {{"identifier", {{"system", "urn:unitclock:patient-ref"}, {"value", claim.patient_ref}}}}},
      {"created", created},
      {"provider",
       {{"identifier",
         {{"system", "http://hl7.org/fhir/sid/us-npi"}, {"value", config.billing_provider.id}}},
        {"display", config.billing_provider.name}}},
      {"priority", Coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")},
  };
  if (has_care_team) {
    resource["careTeam"] = json::array(
        {{{"sequence", 1},
          {"provider",
           {{"identifier",
             {{"system", "urn:unitclock:provider-ref"}, {"value", claim.provider_ref}}}}}}});
  }
  if (has_diagnosis) {
    resource["diagnosis"] = json::array(
        {{{"sequence", 1},
          {"diagnosisCodeableConcept",
           Coding("http://hl7.org/fhir/sid/icd-10-cm", DottedIcd10(config.default_diagnosis))}}});
  }
  resource["insurance"] =
      json::array({{{"sequence", 1}, {"focal", true}, {"coverage", {{"display", payer_name}}}}});
  resource["item"] = std::move(items);
  resource["total"] = Money(total_cents);
  return resource;
}

}  // namespace

std::string WriteFhirBundle(std::span<const Claim> claims, const BillingConfig& config,
                            TimePoint created_at) {
  const std::string timestamp = FormatRfc3339(created_at);
  json entries = json::array();
  for (const Claim& claim : claims) {
    if (claim.lines.empty()) continue;  // nothing to bill
    const std::string id = internal::NameBasedUuid(kSuggestionNamespace, claim.suggestion_id);
    json entry = json::object();
    entry["fullUrl"] = "urn:uuid:" + id;
    entry["resource"] = ClaimResource(claim, id, config, timestamp);
    entries.push_back(std::move(entry));
  }
  json bundle = {{"resourceType", "Bundle"}, {"type", "collection"}, {"timestamp", timestamp}};
  if (!entries.empty()) bundle["entry"] = std::move(entries);  // FHIR allows no empty array
  return bundle.dump(2) + "\n";
}

}  // namespace unitclock::core::exports
