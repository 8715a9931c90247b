#include "core/edit_tables.h"

#include <algorithm>
#include <utility>

namespace unitclock::core {

EditTables::EditTables(std::vector<EditQuarter> quarters) : quarters_(std::move(quarters)) {
  std::sort(quarters_.begin(), quarters_.end(), [](const EditQuarter& a, const EditQuarter& b) {
    return a.window.from < b.window.from;
  });
}

const EditQuarter* EditTables::QuarterFor(Day day) const {
  for (const EditQuarter& quarter : quarters_) {
    if (quarter.window.Contains(day)) return &quarter;
  }
  return nullptr;
}

const PtpEdit* EditTables::FindPtp(std::string_view a, std::string_view b, Day day) const {
  const EditQuarter* quarter = QuarterFor(day);
  if (quarter == nullptr) return nullptr;
  for (const PtpEdit& edit : quarter->ptp) {
    const bool pair = (edit.column1 == a && edit.column2 == b) ||
                      (edit.column1 == b && edit.column2 == a);
    if (pair && edit.InForce(day)) return &edit;
  }
  return nullptr;
}

const MueLimit* EditTables::FindMue(std::string_view code, Day day) const {
  const EditQuarter* quarter = QuarterFor(day);
  if (quarter == nullptr) return nullptr;
  const auto it = quarter->mue.find(code);
  return it == quarter->mue.end() ? nullptr : &it->second;
}

}  // namespace unitclock::core
