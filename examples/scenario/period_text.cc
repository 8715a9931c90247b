#include "examples/scenario/period_text.h"

#include <cstddef>

namespace unitclock::examples {
namespace {

std::string Plural(long long n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string Contact(const v1::InteractiveContact& c) {
  if (!c.session_id().empty()) return "visit " + c.session_id();
  std::string out = "call " + c.event_id();
  if (c.modality() == v1::MODALITY_AUDIO_VIDEO) out += " (audio-video)";
  if (c.modality() == v1::MODALITY_AUDIO_ONLY) out += " (audio only)";
  return out;
}

}  // namespace

std::string DescribeMonitoringPeriod(const v1::Suggestion& suggestion) {
  if (!suggestion.has_monitoring()) return "";
  const v1::MonitoringPeriod& p = suggestion.monitoring();
  std::string out;
  if (p.kind() == v1::MONITORING_PERIOD_KIND_DEVICE_PERIOD) {
    out = "device period " + p.first_date() + ".." + p.last_date() + ", " +
          Plural(p.device_data_dates_size(), "day");
  } else {
    out = p.first_date().substr(0, 7) + " calendar month, " +
          std::to_string(p.management_minutes()) + " min";
    if (p.assistant_minutes() > 0) {
      out += " (" + std::to_string(p.assistant_minutes()) + " by assistant)";
    }
    if (p.interactive_contacts_size() == 0) {
      out += p.provisional() ? ", no contact yet" : ", no contact";
    } else {
      out += p.interactive_contacts_size() == 1 ? ", contact: " : ", contacts: ";
      for (int i = 0; i < p.interactive_contacts_size(); ++i) {
        if (i > 0) out += ", ";
        out += Contact(p.interactive_contacts(i));
      }
    }
  }
  if (p.provisional()) out += ", provisional";
  return out;
}

std::string LineBasis(const v1::SuggestedLine& line) {
  if (line.minutes() > 0) return "(" + std::to_string(line.minutes()) + " min)";
  std::size_t days = 0;
  for (const v1::UnitProvenance& u : line.unit_provenance()) days += u.dates_size();
  if (days > 0) return "(" + Plural(static_cast<long long>(days), "day") + ")";
  return "";
}

}  // namespace unitclock::examples
