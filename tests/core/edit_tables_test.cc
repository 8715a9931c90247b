#include "core/edit_tables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace unitclock::core {
namespace {

using ::testing::ElementsAre;
using ::testing::Key;

constexpr const char* kPtpSource = "ncci/2026q4/ccipra-v324r0-f1.txt";
constexpr const char* kMueSource = "ncci/2026q4/MCR_MUE_PractitionerServices_Eff_10-01-2026.csv";

Day D(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                         std::chrono::day(d)});
}

// CMS's preamble, column header and its continuation lines: the rows start on line 8.
std::string PtpFile(const std::string& rows) {
  return "CPT codes, descriptions and other data only are copyright 2025 American Medical "
         "Association. All rights reserved.\n"
         "Practitioner PTP Edits\n"
         "\n"
         "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\t"
         "Modifier\tPTP Edit Rationale\n"
         "\t\t\t\t*=no data\t0=not allowed\t\n"
         "\t\t\t\t\t1=allowed\t\n"
         "\t\t\t\t\t9=not applicable\t\n" +
         rows;
}

// A quoted two-line preamble and a two-line header: the rows start on line 5.
std::string MueFile(const std::string& rows) {
  return "\"CPT codes, descriptions and other data only are copyright 2025 American Medical "
         "Association.\nAll rights reserved.\",,,\n"
         "\"HCPCS/\nCPT Code\",\"Practitioner Services MUE Values\",\"MUE Adjudication "
         "Indicator\",\"MUE Rationale\"\n" +
         rows;
}

std::string PtpError(const std::string& rows) {
  const auto parsed = ParsePtpTable(PtpFile(rows), kPtpSource);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

std::string MueError(const std::string& rows) {
  const auto parsed = ParseMueTable(MueFile(rows), kMueSource);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

const std::string kGood = "97140\t97530\t\t20200101\t*\t1\tMisuse of column two code\n";

TEST(ParsePtpTable, ReadsCmsLayout) {
  const auto edits = ParsePtpTable(
      PtpFile("97140\t97530\t\t20200101\t*\t1\tMisuse of column two code with column one code\r\n"
              "\r\n"
              "97163\t97161\t*\t20170101\t20250101\t0\tMutually exclusive procedures\r\n"
              "G0283\t0213T\t\t20100401\t20110101\t9\tDeleted\r\n"),
      kPtpSource);
  ASSERT_TRUE(edits.ok()) << edits.status();
  ASSERT_EQ(edits->size(), 3u);
  const PtpEdit& first = (*edits)[0];
  EXPECT_EQ(first.column1, "97140");
  EXPECT_EQ(first.column2, "97530");
  EXPECT_EQ(first.effective, D(2020, 1, 1));
  EXPECT_FALSE(first.deleted.has_value());
  EXPECT_EQ(first.indicator, PtpModifierIndicator::kAllowed);
  EXPECT_EQ(first.rationale, "Misuse of column two code with column one code");
  EXPECT_EQ((*edits)[1].deleted, D(2025, 1, 1));
  EXPECT_EQ((*edits)[1].indicator, PtpModifierIndicator::kNotAllowed);
  EXPECT_EQ((*edits)[2].column1, "G0283");
  EXPECT_EQ((*edits)[2].column2, "0213T");
  EXPECT_EQ((*edits)[2].indicator, PtpModifierIndicator::kNotApplicable);
}

TEST(ParsePtpTable, WithoutAHeaderLineRowsStartAtTheFirstCode) {
  const auto edits = ParsePtpTable("\xEF\xBB\xBFSome title\n\n" + kGood, kPtpSource);
  ASSERT_TRUE(edits.ok()) << edits.status();
  EXPECT_EQ(edits->size(), 1u);
}

TEST(ParsePtpTable, AFileWithoutRowsIsAnError) {
  EXPECT_EQ(ParsePtpTable(PtpFile(""), kPtpSource).status().message(),
            std::string(kPtpSource) + ": holds no PTP edit rows");
  EXPECT_EQ(ParsePtpTable("HCPCS,MUE\n", kPtpSource).status().message(),
            std::string(kPtpSource) + ": holds no PTP edit rows and no \"Column 1\" header line");
}

TEST(ParsePtpTable, ErrorsNameFileLineAndField) {
  const std::string at = std::string(kPtpSource) + ": line 8: ";
  EXPECT_EQ(PtpError("97140\t97530\t\t2026131\t*\t1\tx\n"),
            at + "effective date: \"2026131\" is not YYYYMMDD");
  EXPECT_EQ(PtpError("97140\t97530\t\t20260230\t*\t1\tx\n"),
            at + "effective date: \"20260230\" is not a valid date");
  EXPECT_EQ(PtpError("97140\t97530\t\t20260101\t2026-12-01\t1\tx\n"),
            at + "deletion date: \"2026-12-01\" is not YYYYMMDD");
  EXPECT_EQ(PtpError("97140\t97530\t\t20260101\t20251231\t1\tx\n"),
            at + "deletion date: \"20251231\" is before the effective date \"20260101\"");
  EXPECT_EQ(PtpError("97140\t97530\t\t20260101\t*\t2\tx\n"),
            at + "modifier indicator: \"2\" must be 0, 1 or 9");
  EXPECT_EQ(PtpError("9714\t97530\t\t20260101\t*\t1\tx\n"),
            at + "column 1: \"9714\" is not a CPT or HCPCS code");
  EXPECT_EQ(PtpError("97140\tg0283\t\t20260101\t*\t1\tx\n"),
            at + "column 2: \"g0283\" is not a CPT or HCPCS code");
  EXPECT_EQ(PtpError("97140\t97140\t\t20260101\t*\t1\tx\n"),
            at + "column 2: \"97140\" is the column 1 code too");
  EXPECT_EQ(PtpError("97140\t97530\tx\t20260101\t*\t1\tx\n"),
            at + "in existence prior to 1996: \"x\" must be \"*\" or empty");
  EXPECT_EQ(PtpError("97140,97530,,20260101,*,1,x\n"),
            at + "has 1 tab-separated fields, not the 7 of a PTP edit");
  EXPECT_EQ(PtpError("97140\t97530\t\t20260101\t*\t1\tx\ty\n"), at + "more than 7 fields");
  // After the first row, an empty first field is no longer the header's.
  EXPECT_EQ(PtpError(kGood + "\t97530\t\t20260101\t*\t1\tx\n"),
            std::string(kPtpSource) + ": line 9: column 1: \"\" is not a CPT or HCPCS code");
}

TEST(ParsePtpTable, APairTwiceWithOverlappingDatesIsAnError) {
  EXPECT_EQ(PtpError("97140\t97530\t\t20200101\t20230101\t0\tx\n"
                     "97150\t97110\t\t20200101\t*\t1\tx\n"
                     "97140\t97530\t\t20221001\t*\t1\tx\n"),
            std::string(kPtpSource) +
                ": line 10: column 1/column 2: 97140/97530 in force 20221001 to * overlaps the "
                "same pair on line 8 (20200101 to 20230101)");
}

TEST(ParsePtpTable, APairTwiceOnDatesApartIsAllowed) {
  // Deleted, then added again from its deletion date; the reverse pair is another edit.
  const auto edits = ParsePtpTable(PtpFile("97140\t97530\t\t20200101\t20230101\t0\tx\n"
                                           "97140\t97530\t\t20230101\t*\t1\tx\n"
                                           "97530\t97140\t\t20200101\t*\t1\tx\n"
                                           "97140\t97530\t\t20190101\t20190101\t9\tx\n"),
                                   kPtpSource);
  ASSERT_TRUE(edits.ok()) << edits.status();
  EXPECT_EQ(edits->size(), 4u);
}

TEST(ParseMueTable, ReadsCmsLayout) {
  const auto mue = ParseMueTable(MueFile("97110,6,\"3 Date of Service Edit: Clinical\",\"Clinical: "
                                         "Data\"\r\n"
                                         "\r\n"
                                         "97161,1,2 Date of Service Edit: Policy,\"Code "
                                         "Descriptor / CPT Instruction\"\r\n"
                                         "G0283,0,1 Line Edit,\"Policy, \"\"quoted\"\"\"\r\n"
                                         "0001U,1,2,\r\n"),
                                 kMueSource);
  ASSERT_TRUE(mue.ok()) << mue.status();
  EXPECT_THAT(*mue, ElementsAre(Key("0001U"), Key("97110"), Key("97161"), Key("G0283")));
  EXPECT_EQ(mue->at("97110"),
            (MueLimit{"97110", 6, "3 Date of Service Edit: Clinical", "Clinical: Data"}));
  EXPECT_EQ(mue->at("97161").units, 1);
  EXPECT_EQ(mue->at("G0283").units, 0);
  EXPECT_EQ(mue->at("G0283").rationale, "Policy, \"quoted\"");
  EXPECT_EQ(mue->at("0001U").adjudication_indicator, "2");
}

TEST(ParseMueTable, ErrorsNameFileLineAndField) {
  const std::string at = std::string(kMueSource) + ": line 5: ";
  EXPECT_EQ(MueError("97110,-1,3 Date of Service Edit: Clinical,Clinical: Data\n"),
            at + "MUE value: \"-1\" is not a non-negative whole number");
  EXPECT_EQ(MueError("97110,six,3 Date of Service Edit: Clinical,Clinical: Data\n"),
            at + "MUE value: \"six\" is not a non-negative whole number");
  EXPECT_EQ(MueError("97110,6,4 Other,Clinical: Data\n"),
            at + "MUE adjudication indicator: \"4 Other\" must start with 1, 2 or 3");
  EXPECT_EQ(MueError("971100,6,3,Clinical: Data\n"),
            at + "HCPCS/CPT code: \"971100\" is not a CPT or HCPCS code");
  EXPECT_EQ(MueError("97110\t6\n"), at + "has 1 comma-separated fields, not the 4 of an MUE");
  EXPECT_EQ(MueError("97110,6,3,Clinical: Data,extra\n"), at + "more than 4 fields");
  EXPECT_EQ(MueError("97110,6,3,\"Clinical: Data\n"), at + "a quoted field is not closed");
  EXPECT_EQ(MueError(""), std::string(kMueSource) + ": holds no MUE rows");
}

TEST(ParseMueTable, ACodeTwiceIsAnError) {
  EXPECT_EQ(
      MueError("97110,6,3,Clinical: Data\n"
               "\"97112\",4,3,\"Clinical:\nData\"\n"
               "97110,4,3,Clinical: Data\n"),
      std::string(kMueSource) + ": line 8: HCPCS/CPT code: \"97110\" appears twice (line 5 too)");
}

TEST(ParseMueTable, AnotherSettingsTableIsAnError) {
  const auto mue = ParseMueTable(
      "HCPCS/CPT Code,Outpatient Hospital Services MUE Values,MUE Adjudication Indicator,MUE "
      "Rationale\n97110,6,3,Clinical: Data\n",
      kMueSource);
  ASSERT_FALSE(mue.ok());
  EXPECT_EQ(mue.status().message(),
            std::string(kMueSource) +
                ": line 1: header: \"Outpatient Hospital Services MUE Values\" is not "
                "\"Practitioner Services MUE Values\": not the practitioner table");
}

TEST(IsEditCode, AcceptsCptAndHcpcsCodes) {
  for (const char* code : {"97110", "G0283", "0213T", "0001U"}) EXPECT_TRUE(IsEditCode(code));
  for (const char* code : {"9711", "971100", "g0283", "GG283", "97-10", ""}) {
    EXPECT_FALSE(IsEditCode(code)) << code;
  }
}

EditQuarter Quarter(std::string name, Day from, Day to, std::vector<PtpEdit> ptp) {
  EditQuarter quarter;
  quarter.name = std::move(name);
  quarter.window = DateWindow{from, to, "test", false};
  quarter.ptp = std::move(ptp);
  return quarter;
}

PtpEdit Edit(std::string column1, std::string column2, Day effective, std::optional<Day> deleted) {
  PtpEdit edit;
  edit.column1 = std::move(column1);
  edit.column2 = std::move(column2);
  edit.effective = effective;
  edit.deleted = deleted;
  edit.indicator = PtpModifierIndicator::kAllowed;
  return edit;
}

TEST(PtpEdit, InForceFromEffectiveUntilTheDayBeforeDeletion) {
  const PtpEdit edit = Edit("97140", "97530", D(2026, 1, 1), D(2026, 11, 1));
  EXPECT_FALSE(edit.InForce(D(2025, 12, 31)));
  EXPECT_TRUE(edit.InForce(D(2026, 1, 1)));
  EXPECT_TRUE(edit.InForce(D(2026, 10, 31)));
  EXPECT_FALSE(edit.InForce(D(2026, 11, 1)));
  EXPECT_TRUE(Edit("97140", "97530", D(2026, 1, 1), std::nullopt).InForce(D(2099, 1, 1)));
}

TEST(EditTables, QuarterForAndFindPtpByDate) {
  EditQuarter q4 = Quarter("2026q4", D(2026, 10, 1), D(2026, 12, 31),
                           {Edit("97140", "97530", D(2020, 1, 1), std::nullopt),
                            Edit("97150", "97110", D(2020, 1, 1), D(2026, 11, 1))});
  q4.mue.emplace("97110", MueLimit{"97110", 6, "3 Date of Service Edit: Clinical", "x"});
  // Given out of order: the constructor sorts by window.
  const EditTables tables({q4, Quarter("2026q3", D(2026, 7, 1), D(2026, 9, 30), {})});
  ASSERT_EQ(tables.quarters().size(), 2u);
  EXPECT_EQ(tables.quarters().front().name, "2026q3");
  EXPECT_EQ(tables.QuarterFor(D(2026, 6, 30)), nullptr);
  EXPECT_EQ(tables.QuarterFor(D(2026, 7, 1))->name, "2026q3");
  EXPECT_EQ(tables.QuarterFor(D(2026, 9, 30))->name, "2026q3");
  EXPECT_EQ(tables.QuarterFor(D(2026, 10, 1))->name, "2026q4");
  EXPECT_EQ(tables.QuarterFor(D(2027, 1, 1)), nullptr);

  for (const auto& [a, b] : {std::pair{"97140", "97530"}, std::pair{"97530", "97140"}}) {
    const PtpEdit* edit = tables.FindPtp(a, b, D(2026, 11, 27));
    ASSERT_NE(edit, nullptr) << a << "/" << b;
    EXPECT_EQ(edit->column1, "97140");
    EXPECT_EQ(edit->column2, "97530");
  }
  // The 2026q3 quarter has no edits, whatever the edit's own dates.
  EXPECT_EQ(tables.FindPtp("97140", "97530", D(2026, 9, 1)), nullptr);
  // Deleted on 2026-11-01.
  EXPECT_NE(tables.FindPtp("97110", "97150", D(2026, 10, 31)), nullptr);
  EXPECT_EQ(tables.FindPtp("97110", "97150", D(2026, 11, 1)), nullptr);
  EXPECT_EQ(tables.FindPtp("97110", "97112", D(2026, 10, 31)), nullptr);

  ASSERT_NE(tables.FindMue("97110", D(2026, 12, 31)), nullptr);
  EXPECT_EQ(tables.FindMue("97110", D(2026, 12, 31))->units, 6);
  EXPECT_EQ(tables.FindMue("97110", D(2026, 9, 30)), nullptr);
  EXPECT_TRUE(EditTables().empty());
}

}  // namespace
}  // namespace unitclock::core
