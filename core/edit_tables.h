#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace unitclock::core
