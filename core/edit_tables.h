#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/day.h"

// CMS's National Correct Coding Initiative edits as data: the practitioner
// procedure-to-procedure (PTP) edits and the practitioner medically unlikely
// edits (MUEs), read from CMS's own quarterly file layouts (see
// core/policies/ncci/README.md) and looked up by date of service.
namespace unitclock::core {

// The PTP modifier indicator of CMS's table.
enum class PtpModifierIndicator {
  kNotAllowed = 0,     // no modifier unbundles the pair: column 2 is never paid with column 1
  kAllowed = 1,        // 59 or an X modifier may unbundle distinct services
  kNotApplicable = 9,  // the edit was deleted (its deletion date tells when)
};

// One PTP edit: when both codes are billed on one date of service, the
// column 2 code is not paid unless the indicator allows a modifier and the
// services were distinct. `deleted` is the first day the edit no longer
// applies, as CMS writes it (empty = still in force).
struct PtpEdit {
  std::string column1;
  std::string column2;
  Day effective;
  std::optional<Day> deleted;
  PtpModifierIndicator indicator = PtpModifierIndicator::kNotAllowed;
  std::string rationale;
  bool InForce(Day day) const { return effective <= day && (!deleted || day < *deleted); }
  friend bool operator==(const PtpEdit&, const PtpEdit&) = default;
};

// One MUE: the most units of `code` a practitioner bills for one patient on
// one date of service.
struct MueLimit {
  std::string code;
  int units = 0;
  std::string adjudication_indicator;  // as CMS writes it, e.g. "2 Date of Service Edit: Policy"
  std::string rationale;               // e.g. "Clinical: Data"
  friend bool operator==(const MueLimit&, const MueLimit&) = default;
};

// One quarter's tables, in force for the dates of service of `window`.
struct EditQuarter {
  std::string name;  // the folder's name, e.g. "2026q4"
  DateWindow window;
  std::vector<PtpEdit> ptp;
  std::map<std::string, MueLimit, std::less<>> mue;  // by code
};

// Every quarter loaded. Quarters' windows do not overlap.
class EditTables {
 public:
  EditTables() = default;
  explicit EditTables(std::vector<EditQuarter> quarters);

  // The quarter in force on `day`, or nullptr when none was loaded for it.
  const EditQuarter* QuarterFor(Day day) const;
  // The PTP edit between `a` and `b` (in either order; the result tells which
  // is column 1) in force on `day`, or nullptr.
  const PtpEdit* FindPtp(std::string_view a, std::string_view b, Day day) const;
  // The MUE of `code` on `day`, or nullptr.
  const MueLimit* FindMue(std::string_view code, Day day) const;
  const std::vector<EditQuarter>& quarters() const { return quarters_; }
  bool empty() const { return quarters_.empty(); }

 private:
  std::vector<EditQuarter> quarters_;  // in order of window start
};

// Parsers of CMS's own files, as distributed (no file I/O here: the loader in
// plugin/common/policy_files.h reads them). Errors are INVALID_ARGUMENT naming
// `source`, the line and the field, e.g.
// "ncci/2026q4/ccipra-v324r0-f1.txt: line 7: effective date: \"2026131\" is not YYYYMMDD".
//
// A code is five characters: a CPT code of 5 digits (97110), a HCPCS Level II
// code of a letter and 4 digits (G0283), or a CPT Category II/III or PLA code
// of 4 digits and a letter (0001F, 0213T, 0001U; CMS's tables hold them).

// One part of CMS's "Practitioner PTP Edits" table (the tab-delimited .TXT of
// the quarterly zip, e.g. ccipra-v324r0-f1.txt; CMS splits the table into
// parts by column 1 code range). Layout, as verified with public parsers and
// descriptions of the file (see core/policies/ncci/README.md): a preamble of
// copyright and title lines; the column header line, whose first field is
// "Column 1" (Column 1, Column 2, "*=in existence prior to 1996", Effective
// Date, Deletion Date "*=no data", Modifier "0=not allowed 1=allowed 9=not
// applicable", PTP Edit Rationale), sometimes continued on lines whose first
// field is empty; then one tab-separated row per edit: column 1 code, column 2
// code, "*" or empty, effective date YYYYMMDD, deletion date YYYYMMDD or "*"
// (none), modifier indicator 0/1/9, rationale. Lines end in CRLF or LF; blank
// lines are skipped. Without a column header line, the rows start at the
// first line whose first field is a code. The same pair twice with
// overlapping dates is an error; a deletion date before the effective date is
// an error (equal dates, an edit never in force, are accepted: CMS deletes
// some edits retroactively to their effective date).
absl::StatusOr<std::vector<PtpEdit>> ParsePtpTable(std::string_view text,
                                                   const std::string& source);

// CMS's "Practitioner Services MUE Table" (the .csv of the quarterly zip, e.g.
// MCR_MUE_PractitionerServices_Eff_10-01-2026.csv). Layout: comma-separated
// with double-quoted fields (which may hold commas and line breaks); a quoted
// copyright preamble; the header record "HCPCS/CPT Code", "Practitioner
// Services MUE Values", "MUE Adjudication Indicator", "MUE Rationale" (its
// first field may hold a line break: "HCPCS/\nCPT Code"); then one record per
// code: code, units (a non-negative integer), the adjudication indicator as
// CMS writes it ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of
// Service Edit: Clinical": it must start with 1, 2 or 3), rationale. Another
// setting's table (a header naming other than "Practitioner Services MUE
// Values") and a code twice are errors. Line numbers are those of the file.
absl::StatusOr<std::map<std::string, MueLimit, std::less<>>> ParseMueTable(
    std::string_view text, const std::string& source);

// True for a five-character CPT or HCPCS code as above.
bool IsEditCode(std::string_view text);

}  // namespace unitclock::core
