#include "core/export/fhir_claim.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/core/export/samples.h"

namespace unitclock::core::exports {
namespace {

using nlohmann::json;

json Bundle(std::span<const Claim> claims, const BillingConfig& config) {
  const json bundle = json::parse(WriteFhirBundle(claims, config, testing::SampleTime()));
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(bundle["timestamp"], "2026-03-04T15:07:30.250Z");
  return bundle;
}

json Coding(const std::string& system, const std::string& code) {
  return {{"coding", json::array({{{"system", system}, {"code", code}}})}};
}

TEST(ExportFhir, OneClaimPerPatientDay) {
  const auto claims = testing::SampleClaims();
  const json bundle = Bundle(claims, testing::SampleConfig());
  ASSERT_EQ(bundle["entry"].size(), 2u);
  // uuid.uuid5(UUID("e046c04c-be8b-5df7-9ba3-11188ad1451e"), "s-1") and "s-2".
  EXPECT_EQ(bundle["entry"][0]["fullUrl"], "urn:uuid:d659039c-d22e-5d62-a7ba-92b8c4e5a79b");
  EXPECT_EQ(bundle["entry"][0]["resource"]["id"], "d659039c-d22e-5d62-a7ba-92b8c4e5a79b");
  EXPECT_EQ(bundle["entry"][1]["fullUrl"], "urn:uuid:ea371373-0b0e-5871-b21f-15a24cde967a");
  for (const json& entry : bundle["entry"]) EXPECT_EQ(entry["resource"]["resourceType"], "Claim");
}

TEST(ExportFhir, TheClaimCarriesRefsNotNames) {
  const auto claims = testing::SampleClaims();
  const json claim = Bundle(claims, testing::SampleConfig())["entry"][0]["resource"];
  EXPECT_EQ(claim["status"], "active");
  EXPECT_EQ(claim["use"], "claim");
  EXPECT_EQ(claim["type"],
            Coding("http://terminology.hl7.org/CodeSystem/claim-type", "professional"));
  EXPECT_EQ(claim["priority"],
            Coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal"));
  EXPECT_EQ(claim["identifier"][0],
            (json{{"system", "urn:unitclock:suggestion-id"}, {"value", "s-1"}}));
  EXPECT_EQ(claim["patient"],
            (json{{"identifier", {{"system", "urn:unitclock:patient-ref"}, {"value", "p-1"}}}}));
  EXPECT_FALSE(claim["patient"].contains("display"));
  EXPECT_EQ(claim["created"], "2026-03-04T15:07:30.250Z");
  EXPECT_EQ(claim["provider"]["identifier"],
            (json{{"system", "http://hl7.org/fhir/sid/us-npi"}, {"value", "1234567893"}}));
  EXPECT_EQ(claim["careTeam"][0]["provider"]["identifier"]["value"], "t-7");
  EXPECT_EQ(claim["diagnosis"][0]["diagnosisCodeableConcept"],
            Coding("http://hl7.org/fhir/sid/icd-10-cm", "M62.81"));
  EXPECT_EQ(claim["insurance"], json::parse(R"([{"sequence": 1, "focal": true,
                                                 "coverage": {"display": "Medicare Part B"}}])"));
  EXPECT_EQ(claim["total"], (json{{"value", 133.5}, {"currency", "USD"}}));
}

TEST(ExportFhir, OneItemPerLine) {
  const auto claims = testing::SampleClaims();
  const json items = Bundle(claims, testing::SampleConfig())["entry"][0]["resource"]["item"];
  ASSERT_EQ(items.size(), 2u);
  const std::string cpt = "http://www.ama-assn.org/go/cpt";
  const json& second = items[1];
  EXPECT_EQ(second["sequence"], 2);
  EXPECT_EQ(second["productOrService"], Coding(cpt, "97140"));
  const std::string hcpcs = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
  EXPECT_EQ(second["modifier"],
            json::array({Coding(hcpcs, "GP"), Coding(hcpcs, "CQ"), Coding(hcpcs, "KX")}));
  EXPECT_EQ(second["quantity"], (json{{"value", 1}}));
  EXPECT_EQ(second["servicedDate"], "2026-03-02");
  EXPECT_EQ(second["locationCodeableConcept"],
            Coding("https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
                   "Place_of_Service_Code_Set",
                   "10"));
  EXPECT_EQ(second["unitPrice"], (json{{"value", 43.5}, {"currency", "USD"}}));
  EXPECT_EQ(second["net"], (json{{"value", 43.5}, {"currency", "USD"}}));
  EXPECT_EQ(second["careTeamSequence"], json::array({1}));
  EXPECT_EQ(second["diagnosisSequence"], json::array({1}));
  EXPECT_EQ(items[0]["unitPrice"], (json{{"value", 45}, {"currency", "USD"}}));
}

TEST(ExportFhir, AllModifiersAreKept) {
  std::vector<Claim> claims = {testing::OneLineClaim()};
  claims[0].lines[0].modifiers = {"GP", "CQ", "KX", "59", "XU"};
  const json item = Bundle(claims, testing::SampleConfig())["entry"][0]["resource"]["item"][0];
  EXPECT_EQ(item["modifier"].size(), 5u);
}

// HCPCS Level II modifiers (letters) and CPT modifiers (two digits) each
// under their own system, in claim order.
TEST(ExportFhir, EachModifierUnderItsOwnSystem) {
  const std::string cpt = "http://www.ama-assn.org/go/cpt";
  const std::string hcpcs = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
  std::vector<Claim> claims = {testing::OneLineClaim(), testing::OneLineClaim()};
  claims[0].lines[0].modifiers = {"GP", "GO", "GN", "KX", "CQ", "CO", "GT", "XE"};
  claims[1].lines[0].modifiers = {"XS", "XP", "XU", "FQ", "Q5", "95", "93", "59"};
  const json bundle = Bundle(claims, testing::SampleConfig());
  EXPECT_EQ(bundle["entry"][0]["resource"]["item"][0]["modifier"],
            json::array({Coding(hcpcs, "GP"), Coding(hcpcs, "GO"), Coding(hcpcs, "GN"),
                         Coding(hcpcs, "KX"), Coding(hcpcs, "CQ"), Coding(hcpcs, "CO"),
                         Coding(hcpcs, "GT"), Coding(hcpcs, "XE")}));
  EXPECT_EQ(bundle["entry"][1]["resource"]["item"][0]["modifier"],
            json::array({Coding(hcpcs, "XS"), Coding(hcpcs, "XP"), Coding(hcpcs, "XU"),
                         Coding(hcpcs, "FQ"), Coding(hcpcs, "Q5"), Coding(cpt, "95"),
                         Coding(cpt, "93"), Coding(cpt, "59")}));
}

TEST(ExportFhir, OptionalPartsAreLeftOutRatherThanEmpty) {
  std::vector<Claim> claims = {testing::OneLineClaim()};
  claims[0].provider_ref.clear();
  claims[0].lines[0].modifiers.clear();
  BillingConfig config = testing::SampleConfig();
  config.default_diagnosis.clear();
  const json claim = Bundle(claims, config)["entry"][0]["resource"];
  EXPECT_FALSE(claim.contains("careTeam"));
  EXPECT_FALSE(claim.contains("diagnosis"));
  EXPECT_FALSE(claim["item"][0].contains("modifier"));
  EXPECT_FALSE(claim["item"][0].contains("careTeamSequence"));
  EXPECT_FALSE(claim["item"][0].contains("diagnosisSequence"));
  // FHIR allows no empty array: a bundle without claims has no "entry".
  EXPECT_FALSE(Bundle({}, config).contains("entry"));
}

TEST(ExportFhir, IdsAreDeterministic) {
  const auto claims = testing::SampleClaims();
  const std::string first = WriteFhirBundle(claims, testing::SampleConfig(), testing::SampleTime());
  EXPECT_EQ(WriteFhirBundle(claims, testing::SampleConfig(), testing::SampleTime()), first);
}

}  // namespace
}  // namespace unitclock::core::exports
