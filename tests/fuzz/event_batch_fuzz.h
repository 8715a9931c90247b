#pragma once

#include <cstddef>
#include <cstdint>

// The fuzz target of hostile and malformed event batches (issues 6 and 15):
// arbitrary bytes go the way a RecordEvents call's or a PublishEvents
// stream's bytes go, and then through everything the server derives from
// them. Compiled twice: into the
// libFuzzer binary `event_batch_fuzzer` (tests/fuzz/event_batch_fuzzer.cc,
// clang, `scripts/fuzz.sh`) and into `fuzz_regression_test` (GoogleTest, the
// regular build), which replays the committed corpus and every input that
// once crashed.
namespace unitclock::fuzz {

// Feeds `data` (`size` bytes) through the pipeline:
//
//  1. decodes it with the server's own wire decoder (plugin/service/
//     event_decode.h) three ways: whole as a RecordEvents body
//     (DecodeRecordEventsRequest), whole as one PublishEvents message, and,
//     if it is wire format, each events field (1) of it as one message of a
//     PublishEvents stream (DecodePublishEventsRequest). A body or message
//     that cannot be decoded must give INVALID_ARGUMENT naming the field
//     ("events[2]: ...", "event: ..."); a refused stream message a REJECTED
//     acknowledgement echoing the event_id exactly when it can be read as
//     UTF-8. The decoder reads what protobuf's generated parser reads, the
//     same; a batch is decoded whole or refused naming the first event the
//     stream refused. The stream's decoded events go on (returns if the
//     input is not wire format);
//  2. converts each event with service::EventFromProto and validates it with
//     core::ValidateEvent, dropping what either refuses; a valid event must
//     survive the store's encoding (DecodeEvent(EncodeEvent(e)) == e), and a
//     SessionStarted or MonitoringEpisodeStarted holding an X12 delimiter in
//     a reference (or a management interval or call in its clinician_ref) is
//     refused, naming that reference when nothing else is wrong with it. The
//     server's check against its clock is left out on purpose: the core
//     must cope with every instant an event can carry (1970 to 9999);
//  3. keeps events like the store does: the first event of each event_id;
//     an identical repeat is passed on to the timeline as a repeat, a
//     different event reusing an id is dropped (the store refuses it);
//  4. per session: core::SummarizeSession and core::BuildTimeline (and, for a
//     session that has not stopped, a live timeline one minute past its
//     latest event), then the API encodings (SummaryToProto, TimelineToProto);
//  5. for every session whose SessionStarted arrived, a core::SessionForCoding
//     as service::ForCoding makes it: core::ComputeLiveProgress
//     (ProgressToProto) per session, and core::SuggestCodes over all of them
//     (SuggestionToProto), with the year-to-date amount taken from the first
//     event's sequence_number when it is not 0;
//  6. the suggestions, as if approved as suggested, as claims (references
//     from their first session's SessionStarted): the CSV export reads back
//     field for field, with every text cell that begins with = + - @ tab or
//     CR neutralised; no claim is left out of an export for an X12
//     delimiter, and the 837P's NM1*IL carries the patient_ref whole.
//
// Policies are the real ones (core/policies, UNITCLOCK_POLICY_DIR at build
// time), loaded once by common::LoadPolicyFolder.
//
// Along the way it checks invariants that hold for every input: a timeline
// tiles its session; each activity's time adds up to its span; billable time
// is in order, never overlaps and never exceeds the session; the timeline
// does not depend on the order of events or their repeats; a session gives
// suggestions for at most three dates of service; units, minutes and
// durations are never negative; Medicare's pooled units follow the table
// from the day's timed minutes; a line has one provenance entry per unit.
// On a violation it prints what broke to stderr and calls std::abort(), which
// libFuzzer and GoogleTest both report as a crash. Also aborts if the
// policies cannot be loaded. Not thread-safe on first use (the policies).
void FuzzEventBatch(const std::uint8_t* data, std::size_t size);

}  // namespace unitclock::fuzz
