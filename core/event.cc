#include "core/event.h"

namespace unitclock::core {

bool EventOrder(const Event& a, const Event& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at < b.occurred_at;
  return a.event_id < b.event_id;
}

}  // namespace unitclock::core
