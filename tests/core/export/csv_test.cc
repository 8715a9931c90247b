#include "core/export/csv.h"

#include <gtest/gtest.h>

#include "tests/core/export/samples.h"

namespace unitclock::core::exports {
namespace {

constexpr const char* kHeader =
    "date_of_service,platform,patient_ref,provider_ref,payer_id,code,modifiers,units,minutes,"
    "place_of_service,suggestion_id,review_id\r\n";

TEST(ExportCsv, NoClaimsIsTheHeaderAlone) { EXPECT_EQ(WriteCsv({}), kHeader); }

TEST(ExportCsv, OneRowPerLineInClaimOrder) {
  const auto claims = testing::SampleClaims();
  EXPECT_EQ(WriteCsv(claims),
            std::string(kHeader) +
                "2026-03-02,clinic-a,p-1,t-7,medicare,97110,GP KX,2,31,10,s-1,r-1\r\n"
                "2026-03-02,clinic-a,p-1,t-7,medicare,97140,GP CQ KX,1,12,10,s-1,r-1\r\n"
                "2026-03-03,clinic-a,p-2,t-8,commercial-cpt,97530,GP 95,3,44,02,s-2,r-2\r\n");
}

TEST(ExportCsv, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  Claim claim = testing::OneLineClaim();
  claim.platform = "clinic, north";
  claim.patient_ref = "say \"hi\"";
  claim.provider_ref = "two\nlines";
  claim.review_id = "cr\rhere";
  claim.lines[0].modifiers.clear();
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), std::string(kHeader) +
                                  "2026-03-02,\"clinic, north\",\"say \"\"hi\"\"\",\"two\nlines\","
                                  "medicare,97110,,2,31,10,s-1,\"cr\rhere\"\r\n");
}

// OWASP CSV injection: text cells that a spreadsheet would read as a formula
// are quoted and prefixed with a single quote; units and minutes stay plain.
TEST(ExportCsv, NeutralisesCellsThatStartLikeAFormula) {
  Claim claim = testing::OneLineClaim();
  claim.platform = "+1";
  claim.patient_ref = "=cmd|' /C calc'!A0";
  claim.provider_ref = "@SUM(1+1)";
  claim.payer_id = "-1";
  claim.lines[0].code = "\t97110";
  claim.lines[0].modifiers = {"=GP", "KX"};
  claim.lines[0].place_of_service = "\r10";
  claim.suggestion_id = "-s,1";
  claim.review_id = "@\"r\"";
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), std::string(kHeader) +
                                  "2026-03-02,\"'+1\",\"'=cmd|' /C calc'!A0\",\"'@SUM(1+1)\","
                                  "\"'-1\",\"'\t97110\",\"'=GP KX\",2,31,\"'\r10\",\"'-s,1\","
                                  "\"'@\"\"r\"\"\"\r\n");
}

TEST(ExportCsv, LeavesHarmlessCellsAndNumbersUnchanged) {
  Claim claim = testing::OneLineClaim();
  claim.patient_ref = "p-1=2+3";  // a formula character later in the cell is harmless
  claim.provider_ref = "t'7";
  claim.lines[0].units = -1;  // a number the exporter writes itself is not a text cell
  claim.lines[0].minutes = -5;
  claim.lines[0].modifiers = {"GP", "-KX"};  // only the cell's first character counts
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), std::string(kHeader) +
                                  "2026-03-02,clinic-a,p-1=2+3,t'7,medicare,97110,GP -KX,-1,-5,10,"
                                  "s-1,r-1\r\n");
}

TEST(ExportCsv, AClaimWithoutLinesWritesNoRow) {
  Claim claim = testing::OneLineClaim();
  claim.lines.clear();
  const std::vector<Claim> claims = {claim};
  EXPECT_EQ(WriteCsv(claims), kHeader);
}

}  // namespace
}  // namespace unitclock::core::exports
