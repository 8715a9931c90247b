#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "plugin/store/sqlite_event_store.h"
#include "unitclock/v1/event.pb.h"
#include "unitclock/v1/session_service.pb.h"

namespace unitclock::service {

// Records API events in the store: converts, validates, appends durably, and
// says what became of each event. The one path by which events enter
// unitclock, shared by PublishEvents and RecordEvents.
//
// Thread-safe (the store serialises writes).
class EventRecorder {
 public:
  // `store` must outlive the recorder.
  explicit EventRecorder(store::SqliteEventStore& store) : store_(store) {}

  // Returns one acknowledgement per event, in order. Invalid events and
  // conflicting reuses of an event id are REJECTED; the others are durable
  // before this returns. An error status (UNAVAILABLE) means the store failed
  // and none of the batch's valid events is known to be stored: the client
  // should send them again.
  absl::StatusOr<std::vector<v1::EventAcknowledgement>> Record(
      std::span<const v1::Event* const> events);

 private:
  store::SqliteEventStore& store_;
};

}  // namespace unitclock::service
