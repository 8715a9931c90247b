#include "core/export/x12_837p.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/core/export/samples.h"

namespace unitclock::core::exports {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

X12Envelope SampleEnvelope() {
  return {.interchange_control_number = 42,
          .group_control_number = 7,
          .created_at = testing::SampleTime()};
}

// The segments of `x12`, terminators removed; fails unless every segment
// ends with "~" and no line break is written.
std::vector<std::string> Segments(const std::string& x12) {
  EXPECT_EQ(x12.find('\n'), std::string::npos);
  EXPECT_EQ(x12.back(), '~');
  std::vector<std::string> segments;
  std::stringstream in(x12);
  for (std::string segment; std::getline(in, segment, '~');) segments.push_back(segment);
  return segments;
}

std::vector<std::string> Elements(const std::string& segment) {
  std::vector<std::string> elements;
  std::stringstream in(segment);
  for (std::string element; std::getline(in, element, '*');) elements.push_back(element);
  if (!segment.empty() && segment.back() == '*') elements.push_back("");
  return elements;
}

// The segments whose id is `id`.
std::vector<std::string> WithId(const std::vector<std::string>& segments, const std::string& id) {
  std::vector<std::string> found;
  for (const std::string& segment : segments) {
    if (segment.rfind(id + "*", 0) == 0) found.push_back(segment);
  }
  return found;
}

TEST(ExportX12, OneLineClaimIsACompleteInterchange) {
  const std::vector<Claim> claims = {testing::OneLineClaim()};
  const std::string x12 = WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope());
  EXPECT_THAT(
      Segments(x12),
      ElementsAreArray<std::string>({
          "ISA*00*          *00*          *ZZ*SAMPLESENDER   *ZZ*SAMPLERECEIVER *260304*1507*^*"
          "00501*000000042*0*T*:",
          "GS*HC*SAMPLESENDER*SAMPLERECEIVER*20260304*1507*7*X*005010X222A1",
          "ST*837*0001*005010X222A1",
          "BHT*0019*00*42*20260304*1507*CH",
          "NM1*41*2*SAMPLE THERAPY GROUP*****46*ETIN01",
          "PER*IC*BILLING OFFICE*TE*5555550100",
          "NM1*40*2*SAMPLE CLEARINGHOUSE*****46*CH01",
          "HL*1**20*1",
          "NM1*85*2*SAMPLE THERAPY GROUP*****XX*1234567893",
          "N3*100 SAMPLE STREET",
          "N4*SPRINGFIELD*IL*627010000",
          "REF*EI*000000000",
          "HL*2*1*22*0",
          "SBR*P*18*******MB",
          "NM1*IL*1*p-1*****MI*p-1",
          "NM1*PR*2*Medicare Part B*****PI*MCR01",
          "CLM*s-1*90***10:B:1*Y*A*Y*Y",
          "HI*ABK:M6281",
          "LX*1",
          "SV1*HC:97110:GP:KX*90*UN*2***1",
          "DTP*472*D8*20260302",
          "SE*20*0001",
          "GE*1*7",
          "IEA*1*000000042",
      }));
}

TEST(ExportX12, ALongSuggestionIdBecomesAStableControlNumberThatFitsClm01) {
  // A suggestion id names its patient reference, which may be 128
  // characters: CLM01 holds 38.
  Claim claim = testing::OneLineClaim();
  claim.suggestion_id = "2026-10-31.pt-rtm.bWVkaWNhcmU.cGF0aWVudC0xMjM0NTY3ODkw";
  const std::vector<Claim> claims = {claim};
  const std::vector<std::string> clm =
      WithId(Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope())), "CLM");
  ASSERT_EQ(clm.size(), 1u);
  const std::string control = PatientControlNumber(claim.suggestion_id);
  EXPECT_EQ(clm[0].substr(0, 4 + control.size() + 1), "CLM*" + control + "*");
  EXPECT_EQ(control.size(), 17u);
  EXPECT_EQ(control[0], 'u');
  EXPECT_EQ(control, PatientControlNumber(claim.suggestion_id));
  EXPECT_NE(control, PatientControlNumber(claim.suggestion_id + "x"));
  // An id that fits is written as it is.
  EXPECT_EQ(PatientControlNumber(std::string(38, 's')), std::string(38, 's'));
  EXPECT_EQ(PatientControlNumber(std::string(39, 's')).size(), 17u);
}

TEST(ExportX12, IsaIsFixedWidth) {
  const std::vector<Claim> claims = {testing::OneLineClaim()};
  BillingConfig config = testing::SampleConfig();
  config.interchange_sender_id = "S";
  config.production = true;
  const std::string x12 = WriteX12_837P(claims, config, SampleEnvelope());
  // X12.5: ISA is 106 characters with its terminator; ISA16 at 104.
  ASSERT_GE(x12.size(), 106u);
  EXPECT_EQ(x12[103], '*');
  EXPECT_EQ(x12[104], ':');
  EXPECT_EQ(x12[105], '~');
  const auto isa = Elements(Segments(x12)[0]);
  ASSERT_EQ(isa.size(), 17u);
  EXPECT_EQ(isa[6], "S              ");
  EXPECT_EQ(isa[11], "^");
  EXPECT_EQ(isa[12], "00501");
  EXPECT_EQ(isa[15], "P");
}

TEST(ExportX12, SegmentCountCoversStToSe) {
  const auto claims = testing::SampleClaims();
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope()));
  std::size_t st = 0, se = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].rfind("ST*", 0) == 0) st = i;
    if (segments[i].rfind("SE*", 0) == 0) se = i;
  }
  EXPECT_EQ(Elements(segments[se])[1], std::to_string(se - st + 1));
  EXPECT_EQ(Elements(segments[se])[2], Elements(segments[st])[2]);
}

TEST(ExportX12, ControlNumbersMatchTheirTrailers) {
  const auto claims = testing::SampleClaims();
  const X12Envelope envelope = {.interchange_control_number = 999999999,
                                .group_control_number = 123,
                                .created_at = testing::SampleTime()};
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), envelope));
  EXPECT_EQ(Elements(segments.front())[13], "999999999");
  EXPECT_EQ(Elements(WithId(segments, "GS")[0])[6], "123");
  EXPECT_THAT(WithId(segments, "GE"), ElementsAre("GE*1*123"));
  EXPECT_THAT(WithId(segments, "IEA"), ElementsAre("IEA*1*999999999"));
  EXPECT_EQ(segments.back(), "IEA*1*999999999");
}

TEST(ExportX12, OneClaimPerPatientDayAndOneServiceLinePerLine) {
  const auto claims = testing::SampleClaims();
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope()));
  EXPECT_THAT(WithId(segments, "HL"), ElementsAre("HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*0"));
  // 97110 x2 at 45.00 + 97140 x1 at 43.50; 97530 x3 at 52.05.
  EXPECT_THAT(WithId(segments, "CLM"),
              ElementsAre("CLM*s-1*133.5***10:B:1*Y*A*Y*Y", "CLM*s-2*156.15***02:B:1*Y*A*Y*Y"));
  EXPECT_THAT(WithId(segments, "SBR"), ElementsAre("SBR*P*18*******MB", "SBR*P*18*******CI"));
  EXPECT_THAT(WithId(segments, "NM1"),
              ::testing::Contains("NM1*PR*2*Generic commercial payer*****PI*COM01"));
  EXPECT_THAT(WithId(segments, "LX"), ElementsAre("LX*1", "LX*2", "LX*1"));
  EXPECT_THAT(WithId(segments, "SV1"),
              ElementsAre("SV1*HC:97110:GP:KX*90*UN*2***1", "SV1*HC:97140:GP:CQ:KX*43.5*UN*1***1",
                          "SV1*HC:97530:GP:95*156.15*UN*3***1"));
  EXPECT_THAT(WithId(segments, "DTP"),
              ElementsAre("DTP*472*D8*20260302", "DTP*472*D8*20260302", "DTP*472*D8*20260303"));
}

TEST(ExportX12, AtMostFourModifiersAreWritten) {
  std::vector<Claim> claims = {testing::OneLineClaim()};
  claims[0].lines[0].modifiers = {"GP", "CQ", "KX", "59", "XU"};
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope()));
  EXPECT_THAT(WithId(segments, "SV1"), ElementsAre("SV1*HC:97110:GP:CQ:KX:59*90*UN*2***1"));
}

TEST(ExportX12, WithoutDiagnosisNoHiAndNoPointer) {
  const std::vector<Claim> claims = {testing::OneLineClaim()};
  BillingConfig config = testing::SampleConfig();
  config.default_diagnosis.clear();
  const auto segments = Segments(WriteX12_837P(claims, config, SampleEnvelope()));
  EXPECT_TRUE(WithId(segments, "HI").empty());
  EXPECT_THAT(WithId(segments, "SV1"), ElementsAre("SV1*HC:97110:GP:KX*90*UN*2"));
  EXPECT_THAT(WithId(segments, "SE"), ElementsAre("SE*19*0001"));
}

TEST(ExportX12, ACodeWithoutChargeIsZeroAndAnUnknownPayerKeepsItsId) {
  std::vector<Claim> claims = {testing::OneLineClaim()};
  claims[0].lines[0].code = "97112";
  claims[0].payer_id = "aetna";
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope()));
  EXPECT_THAT(WithId(segments, "CLM"), ElementsAre("CLM*s-1*0***10:B:1*Y*A*Y*Y"));
  EXPECT_THAT(WithId(segments, "SBR"), ElementsAre("SBR*P*18*******CI"));
  EXPECT_THAT(WithId(segments, "NM1"), ::testing::Contains("NM1*PR*2*aetna*****PI*aetna"));
}

TEST(ExportX12, ClaimsWithoutLinesAreSkipped) {
  std::vector<Claim> claims = testing::SampleClaims();
  claims[0].lines.clear();
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), SampleEnvelope()));
  EXPECT_THAT(WithId(segments, "CLM"), ElementsAre("CLM*s-2*156.15***02:B:1*Y*A*Y*Y"));
  EXPECT_THAT(WithId(segments, "HL"), ElementsAre("HL*1**20*1", "HL*2*1*22*0"));
}

TEST(ExportX12, TimesAreUtc) {
  X12Envelope envelope = SampleEnvelope();
  envelope.created_at =
      TimePoint{std::chrono::sys_days{std::chrono::year{1999} / std::chrono::December / 31}} +
      std::chrono::hours(23) + std::chrono::minutes(59);
  const std::vector<Claim> claims = {testing::OneLineClaim()};
  const auto segments = Segments(WriteX12_837P(claims, testing::SampleConfig(), envelope));
  const auto isa = Elements(segments[0]);
  EXPECT_EQ(isa[9], "991231");
  EXPECT_EQ(isa[10], "2359");
  EXPECT_EQ(segments[1], "GS*HC*SAMPLESENDER*SAMPLERECEIVER*19991231*2359*7*X*005010X222A1");
}

TEST(ExportX12, CheckEnvelopeBoundsControlNumbers) {
  X12Envelope envelope = SampleEnvelope();
  EXPECT_TRUE(CheckEnvelope(envelope).ok());
  envelope.interchange_control_number = 1'000'000'000;
  EXPECT_EQ(CheckEnvelope(envelope).message(),
            "interchange_control_number: must be 1 to 999999999");
  envelope.interchange_control_number = 1;
  envelope.group_control_number = 0;
  EXPECT_EQ(CheckEnvelope(envelope).message(), "group_control_number: must be 1 to 999999999");
}

}  // namespace
}  // namespace unitclock::core::exports
