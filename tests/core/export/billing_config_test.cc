#include "core/export/billing_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/core/export/samples.h"

namespace unitclock::core::exports {
namespace {

constexpr const char* kValid = R"({
  "format_version": 1,
  "description": "test",
  "production": true,
  "submitter": {"name": "SUBMITTER", "id": "ETIN01", "contact": "OFFICE", "phone": "5555550100"},
  "receiver": {"name": "CLEARINGHOUSE", "id": "CH01"},
  "billing_provider": {"name": "GROUP", "npi": "1234567893", "tax_id": "123456789",
                       "address": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL",
                       "zip": "62701"},
  "interchange": {"sender_id": "SENDER", "receiver_id": "RECEIVER"},
  "default_diagnosis": "M6281",
  "payers": {"medicare": {"name": "Medicare Part B", "id": "MCR01"}},
  "charge_cents": {"97110": 4500, "97140": 0}
})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void ExpectError(const std::string& json, const std::string& message) {
  const auto config = ParseBillingConfig(json, "billing.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(), message);
}

TEST(ExportBillingConfig, ReadsEverySetting) {
  const auto config = ParseBillingConfig(kValid, "billing.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->submitter, (Party{.name = "SUBMITTER", .id = "ETIN01"}));
  EXPECT_EQ(config->submitter_contact, "OFFICE");
  EXPECT_EQ(config->submitter_phone, "5555550100");
  EXPECT_EQ(config->receiver, (Party{.name = "CLEARINGHOUSE", .id = "CH01"}));
  EXPECT_EQ(config->billing_provider, (Party{.name = "GROUP", .id = "1234567893"}));
  EXPECT_EQ(config->billing_tax_id, "123456789");
  EXPECT_EQ(config->billing_address, "1 MAIN ST");
  EXPECT_EQ(config->billing_city, "SPRINGFIELD");
  EXPECT_EQ(config->billing_state, "IL");
  EXPECT_EQ(config->billing_zip, "62701");
  EXPECT_EQ(config->interchange_sender_id, "SENDER");
  EXPECT_EQ(config->interchange_receiver_id, "RECEIVER");
  EXPECT_EQ(config->default_diagnosis, "M6281");
  EXPECT_TRUE(config->production);
  EXPECT_EQ(config->payers.size(), 1u);
  EXPECT_EQ(config->payers.at("medicare"), (Party{.name = "Medicare Part B", .id = "MCR01"}));
  EXPECT_EQ(config->charge_cents,
            (std::map<std::string, std::int64_t>{{"97110", 4500}, {"97140", 0}}));
}

TEST(ExportBillingConfig, OptionalKeysHaveSafeDefaults) {
  std::string json = Replace(kValid, R"("production": true,)", "");
  json = Replace(json, R"("default_diagnosis": "M6281",)", "");
  const auto config = ParseBillingConfig(json, "billing.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->production);  // test data (ISA15 T) unless said otherwise
  EXPECT_EQ(config->default_diagnosis, "");
}

TEST(ExportBillingConfig, TheShippedFileIsValidAndSaysItIsASample) {
  std::ifstream in(std::string(UNITCLOCK_POLICY_DIR) + "/billing.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto config = ParseBillingConfig(text.str(), "billing.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(text.str(), ::testing::HasSubstr("SAMPLE billing configuration"));
  EXPECT_FALSE(config->production);
  for (const char* payer : {"medicare", "commercial-cpt", "acme-health"}) {
    EXPECT_EQ(config->payers.count(payer), 1u) << payer;
  }
  for (const char* code :
       {"97110", "97112", "97116", "97124", "97140", "97150", "97530", "97535"}) {
    EXPECT_EQ(config->charge_cents.count(code), 1u) << code;
  }
}

TEST(ExportBillingConfig, DocumentErrors) {
  ExpectError("{", "billing.json: not valid JSON");
  ExpectError("[]", "billing.json: must be a JSON object");
  ExpectError(Replace(kValid, R"("format_version": 1)", R"("format_version": 2)"),
              "billing.json: format_version: must be 1");
  ExpectError(Replace(kValid, R"("format_version": 1,)", ""),
              "billing.json: format_version: required");
  ExpectError(
      Replace(kValid, R"("production": true)", R"("production": true, "production": false)"),
      "billing.json: production: appears twice in one object");
  ExpectError(Replace(kValid, R"("production": true)", R"("production": "yes")"),
              "billing.json: production: must be true or false");
  ExpectError(Replace(kValid, R"("description": "test")", R"("description": 1)"),
              "billing.json: description: must be a string");
}

TEST(ExportBillingConfig, UnknownKeysAreRejectedAtEveryLevel) {
  ExpectError(Replace(kValid, R"("production")", R"("prodution")"),
              "billing.json: prodution: unknown key");
  ExpectError(Replace(kValid, R"("contact")", R"("contcat")"),
              "billing.json: submitter.contcat: unknown key");
  ExpectError(Replace(kValid, R"("zip")", R"("postcode")"),
              "billing.json: billing_provider.postcode: unknown key");
  ExpectError(Replace(kValid, R"("MCR01"})", R"("MCR01", "phone": "1"})"),
              "billing.json: payers.medicare.phone: unknown key");
}

TEST(ExportBillingConfig, NamesAndIdsAreRequired) {
  ExpectError(Replace(kValid, R"("name": "SUBMITTER", )", ""),
              "billing.json: submitter.name: required");
  ExpectError(Replace(kValid, R"("name": "SUBMITTER")", R"("name": "")"),
              "billing.json: submitter.name: must not be empty");
  ExpectError(Replace(kValid, R"("id": "CH01")", R"("id": 1)"),
              "billing.json: receiver.id: must be a string");
  ExpectError(Replace(kValid, R"("name": "GROUP")", R"("name": "")"),
              "billing.json: billing_provider.name: must not be empty");
  ExpectError(Replace(kValid, R"("name": "Medicare Part B")", R"("name": "")"),
              "billing.json: payers.medicare.name: must not be empty");
  ExpectError(Replace(kValid, R"(, "id": "MCR01")", ""),
              "billing.json: payers.medicare.id: required");
  ExpectError(Replace(kValid, R"("name": "GROUP")", R"("name": "GROUP*ONE")"),
              "billing.json: billing_provider.name: must not contain the X12 delimiters ~ * : ^");
  ExpectError(Replace(kValid, R"("name": "GROUP")", R"("name": ")" + std::string(61, 'A') + "\""),
              "billing.json: billing_provider.name: must be at most 60 characters");
}

TEST(ExportBillingConfig, NpiIsTenDigitsWithItsCheckDigit) {
  ExpectError(Replace(kValid, "1234567893", "123456789"),
              "billing.json: billing_provider.npi: must be 10 digits");
  ExpectError(Replace(kValid, "1234567893", "12345678AB"),
              "billing.json: billing_provider.npi: must be 10 digits");
  ExpectError(Replace(kValid, "1234567893", "1234567890"),
              "billing.json: billing_provider.npi: \"1234567890\" has a wrong check digit");
}

TEST(ExportBillingConfig, TaxIdIsNineDigits) {
  ExpectError(Replace(kValid, R"("tax_id": "123456789")", R"("tax_id": "12-3456789")"),
              "billing.json: billing_provider.tax_id: must be 9 digits");
}

TEST(ExportBillingConfig, StateIsTwoUpperCaseLetters) {
  ExpectError(Replace(kValid, R"("state": "IL")", R"("state": "il")"),
              "billing.json: billing_provider.state: must be 2 upper-case letters");
  ExpectError(Replace(kValid, R"("state": "IL")", R"("state": "ILL")"),
              "billing.json: billing_provider.state: must be 2 upper-case letters");
}

TEST(ExportBillingConfig, ZipIsFiveOrNineDigits) {
  EXPECT_TRUE(ParseBillingConfig(Replace(kValid, "62701", "627010000"), "billing.json").ok());
  ExpectError(Replace(kValid, "62701", "6270100"),
              "billing.json: billing_provider.zip: must be 5 or 9 digits");
  ExpectError(Replace(kValid, "62701", "62701-0000"),
              "billing.json: billing_provider.zip: must be 5 or 9 digits");
}

TEST(ExportBillingConfig, PhoneIsTenDigits) {
  ExpectError(Replace(kValid, "5555550100", "555-555-0100"),
              "billing.json: submitter.phone: must be 10 digits");
}

TEST(ExportBillingConfig, InterchangeIdsAreOneToFifteenCharacters) {
  ExpectError(Replace(kValid, R"("sender_id": "SENDER")", R"("sender_id": "")"),
              "billing.json: interchange.sender_id: must not be empty");
  ExpectError(
      Replace(kValid, R"("receiver_id": "RECEIVER")", R"("receiver_id": "RECEIVER12345678")"),
      "billing.json: interchange.receiver_id: must be at most 15 characters");
}

TEST(ExportBillingConfig, DefaultDiagnosisIsAnIcd10CodeWithoutTheDot) {
  ExpectError(Replace(kValid, R"("M6281")", R"("M62.81")"),
              "billing.json: default_diagnosis: must be an ICD-10-CM code without the dot (e.g. "
              "M6281)");
}

TEST(ExportBillingConfig, PayersMapIdsToIdentities) {
  ExpectError(Replace(kValid, R"({"medicare": {"name": "Medicare Part B", "id": "MCR01"}})", "{}"),
              "billing.json: payers: must name at least one payer");
  ExpectError(Replace(kValid, R"({"medicare": {"name": "Medicare Part B", "id": "MCR01"}})", "[]"),
              "billing.json: payers: must be an object");
  ExpectError(Replace(kValid, R"({"name": "Medicare Part B", "id": "MCR01"})", "\"MCR01\""),
              "billing.json: payers.medicare: must be an object");
  ExpectError(Replace(kValid, R"("medicare": {)", R"("": {)"),
              "billing.json: payers: a payer_id must not be empty");
}

TEST(ExportBillingConfig, ChargesAreWholeCentsForFiveDigitCodes) {
  ExpectError(Replace(kValid, R"("97110": 4500)", R"("9711": 4500)"),
              "billing.json: charge_cents.9711: must be a 5-digit code");
  ExpectError(Replace(kValid, R"("97110": 4500)", R"("97110": -1)"),
              "billing.json: charge_cents.97110: must be at least 0");
  ExpectError(Replace(kValid, R"("97110": 4500)", R"("97110": 45.00)"),
              "billing.json: charge_cents.97110: must be an integer (cents)");
  ExpectError(Replace(kValid, R"("97110": 4500)", R"("97110": 18446744073709551615)"),
              "billing.json: charge_cents.97110: must be at most 100000000");
  ExpectError(Replace(kValid, R"({"97110": 4500, "97140": 0})", "[]"),
              "billing.json: charge_cents: must be an object");
}

TEST(ExportCheckExportable, AcceptsTheSampleClaims) {
  const auto claims = testing::SampleClaims();
  EXPECT_TRUE(CheckExportable(claims, testing::SampleConfig()).ok());
}

TEST(ExportCheckExportable, NamesTheClaimAndTheProblem) {
  const BillingConfig config = testing::SampleConfig();
  const auto expect = [&config](Claim claim, const std::string& message) {
    const std::vector<Claim> claims = {testing::OneLineClaim(), std::move(claim)};
    const absl::Status status = CheckExportable(claims, config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), message);
  };
  Claim claim = testing::OneLineClaim();
  claim.payer_id = "aetna";
  expect(claim, "claims[1] (s-1): payer_id: \"aetna\" is not in the billing config");
  claim = testing::OneLineClaim();
  claim.lines.clear();
  expect(claim, "claims[1] (s-1): lines: no line to bill");
  claim = testing::OneLineClaim();
  claim.lines[0].code = "97112";
  expect(claim, "claims[1] (s-1): lines[0] (97112): code has no charge in the billing config");
  claim = testing::OneLineClaim();
  claim.lines[0].units = 0;
  expect(claim, "claims[1] (s-1): lines[0] (97110): units must be 1 to 99");
  claim = testing::OneLineClaim();
  claim.lines[0].modifiers = {"GP", "KX", "CQ", "59", "XU"};
  expect(claim, "claims[1] (s-1): lines[0] (97110): more than 4 modifiers");
  claim = testing::OneLineClaim();
  claim.lines[0].modifiers = {"G*"};
  expect(claim,
         "claims[1] (s-1): lines[0] (97110): modifier \"G*\" must be 2 upper-case letters or "
         "digits");
  claim = testing::OneLineClaim();
  claim.lines[0].place_of_service = "2";
  expect(claim, "claims[1] (s-1): lines[0] (97110): place_of_service must be 2 digits");
  claim = testing::OneLineClaim();
  claim.patient_ref = "p~1";
  expect(claim, "claims[1] (s-1): patient_ref: contains an X12 delimiter (~ * : ^)");
}

}  // namespace
}  // namespace unitclock::core::exports
