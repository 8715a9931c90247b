#include "core/export/x12_837p.h"

#include <chrono>
#include <cstdio>
#include <string_view>
#include <vector>

#include "core/export/internal/amount.h"
#include "core/fingerprint.h"
#include "core/policy.h"

namespace unitclock::core::exports {
namespace {

constexpr std::int64_t kMaxControlNumber = 999'999'999;
constexpr std::size_t kMaxModifiers = 4;  // SV101-3 to SV101-6

// One segment: the elements joined by "*", trailing empty elements dropped
// (X12.6: a segment ends after its last element with data).
std::string Segment(std::initializer_list<std::string_view> elements) {
  std::vector<std::string_view> kept(elements);
  while (!kept.empty() && kept.back().empty()) kept.pop_back();
  std::string segment;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) segment.push_back('*');
    segment.append(kept[i]);
  }
  return segment;
}

// `text` left-aligned in a field of `width` characters (ISA's fixed widths).
std::string Padded(const std::string& text, std::size_t width) {
  std::string field = text.substr(0, width);
  field.resize(width, ' ');
  return field;
}

// The instant's UTC date and time in X12's forms.
struct Stamp {
  std::string yymmdd;    // ISA09
  std::string ccyymmdd;  // GS04, BHT04
  std::string hhmm;      // ISA10, GS05, BHT05
};

Stamp StampOf(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<std::chrono::milliseconds> time{t - day};
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02u%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  char hhmm[8];
  std::snprintf(hhmm, sizeof hhmm, "%02d%02d", static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()));
  return {.yymmdd = std::string(date + 2), .ccyymmdd = date, .hhmm = hhmm};
}

// "2026-11-30" -> "20261130" (D8).
std::string D8(Day day) {
  std::string text = FormatDay(day);
  std::erase(text, '-');
  return text;
}

std::int64_t LineChargeCents(const ClaimLine& line, const BillingConfig& config) {
  const auto charge = config.charge_cents.find(line.code);
  return charge == config.charge_cents.end() ? 0 : charge->second * line.units;
}

// SV101: HC:<code>[:<modifier>]... with at most four modifiers.
std::string Procedure(const ClaimLine& line) {
  std::string procedure = "HC:" + line.code;
  for (std::size_t i = 0; i < line.modifiers.size() && i < kMaxModifiers; ++i) {
    procedure += ":" + line.modifiers[i];
  }
  return procedure;
}

// Appends the 2000B..2400 loops of one claim to `segments`.
void AppendClaim(const Claim& claim, int hl_number, const BillingConfig& config,
                 std::vector<std::string>& segments) {
  const auto payer_entry = config.payers.find(claim.payer_id);
  const Party payer = payer_entry != config.payers.end()
                          ? payer_entry->second
                          : Party{.name = claim.payer_id, .id = claim.payer_id};
  // SBR09 claim filing indicator: MB = Medicare Part B, CI = commercial insurance.
  const std::string filing_indicator = claim.payer_id == "medicare" ? "MB" : "CI";
  const bool has_diagnosis = !config.default_diagnosis.empty();

  // 2000B subscriber: the patient is the subscriber (SBR02 18 = self), so no
  // 2000C patient loop; HL04 0 = no child HL.
  segments.push_back(Segment({"HL", std::to_string(hl_number), "1", "22", "0"}));
  segments.push_back(Segment({"SBR", "P", "18", "", "", "", "", "", "", filing_indicator}));
  // unitclock holds no names or demographics: patient_ref stands in for the
  // last name and member id, and the billing system maps refs to demographics.
  segments.push_back(
      Segment({"NM1", "IL", "1", claim.patient_ref, "", "", "", "", "MI", claim.patient_ref}));
  segments.push_back(Segment({"NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id}));

  std::int64_t total_cents = 0;
  for (const ClaimLine& line : claim.lines) total_cents += LineChargeCents(line, config);
  // CLM05: place of service : B (professional) : 1 (original claim). CLM06 Y
  // provider signature on file, CLM07 A assigned, CLM08 Y benefits assigned,
  // CLM09 Y release of information.
  const std::string facility = claim.lines.front().place_of_service + ":B:1";
  segments.push_back(
      Segment({"CLM", PatientControlNumber(claim.suggestion_id),
               internal::DecimalAmount(total_cents), "", "", facility, "Y", "A", "Y", "Y"}));
  // HI*ABK: principal diagnosis, ICD-10-CM; a placeholder from the config.
  if (has_diagnosis) segments.push_back(Segment({"HI", "ABK:" + config.default_diagnosis}));

  const std::string service_date = D8(claim.date_of_service);
  for (std::size_t i = 0; i < claim.lines.size(); ++i) {
    const ClaimLine& line = claim.lines[i];
    segments.push_back(Segment({"LX", std::to_string(i + 1)}));
    // SV1: procedure, charge, UN (units), quantity, SV105-106 empty, SV107
    // diagnosis pointer to HI's first code.
    segments.push_back(
        Segment({"SV1", Procedure(line), internal::DecimalAmount(LineChargeCents(line, config)),
                 "UN", std::to_string(line.units), "", "", has_diagnosis ? "1" : ""}));
    segments.push_back(Segment({"DTP", "472", "D8", service_date}));
  }
}

}  // namespace

absl::Status CheckEnvelope(const X12Envelope& envelope) {
  if (envelope.interchange_control_number < 1 ||
      envelope.interchange_control_number > kMaxControlNumber) {
    return absl::InvalidArgumentError("interchange_control_number: must be 1 to 999999999");
  }
  if (envelope.group_control_number < 1 || envelope.group_control_number > kMaxControlNumber) {
    return absl::InvalidArgumentError("group_control_number: must be 1 to 999999999");
  }
  return absl::OkStatus();
}

std::string WriteX12_837P(std::span<const Claim> claims, const BillingConfig& config,
                          const X12Envelope& envelope) {
  const Stamp stamp = StampOf(envelope.created_at);
  char isa13[16];
  std::snprintf(isa13, sizeof isa13, "%09lld",
                static_cast<long long>(envelope.interchange_control_number));
  const std::string interchange_number = std::to_string(envelope.interchange_control_number);
  const std::string group_number = std::to_string(envelope.group_control_number);
  bool any_claim = false;
  for (const Claim& claim : claims) any_claim = any_claim || !claim.lines.empty();

  // ST..SE: the transaction set, counted for SE01.
  std::vector<std::string> set;
  set.push_back(Segment({"ST", "837", "0001", "005010X222A1"}));
  // BHT: 0019 hierarchy, 00 original, reference, date, time, CH chargeable.
  set.push_back(
      Segment({"BHT", "0019", "00", interchange_number, stamp.ccyymmdd, stamp.hhmm, "CH"}));
  // 1000A submitter and 1000B receiver; 46 = electronic transmitter id (ETIN).
  set.push_back(Segment(
      {"NM1", "41", "2", config.submitter.name, "", "", "", "", "46", config.submitter.id}));
  set.push_back(Segment({"PER", "IC", config.submitter_contact, "TE", config.submitter_phone}));
  set.push_back(
      Segment({"NM1", "40", "2", config.receiver.name, "", "", "", "", "46", config.receiver.id}));
  // 2000A billing provider; XX = NPI, EI = employer id (tax id).
  set.push_back(Segment({"HL", "1", "", "20", any_claim ? "1" : "0"}));
  set.push_back(Segment({"NM1", "85", "2", config.billing_provider.name, "", "", "", "", "XX",
                         config.billing_provider.id}));
  set.push_back(Segment({"N3", config.billing_address}));
  set.push_back(Segment({"N4", config.billing_city, config.billing_state, config.billing_zip}));
  set.push_back(Segment({"REF", "EI", config.billing_tax_id}));
  int hl_number = 1;
  for (const Claim& claim : claims) {
    if (claim.lines.empty()) continue;  // nothing to bill; a CLM needs a service line
    AppendClaim(claim, ++hl_number, config, set);
  }
  set.push_back(Segment({"SE", std::to_string(set.size() + 1), "0001"}));

  std::string out;
  // ISA: fixed widths; 00 = no authorization or security information,
  // ZZ = mutually defined ids, ISA14 0 = no TA1 acknowledgment requested.
  out += Segment({"ISA", "00", Padded("", 10), "00", Padded("", 10), "ZZ",
                  Padded(config.interchange_sender_id, 15), "ZZ",
                  Padded(config.interchange_receiver_id, 15), stamp.yymmdd, stamp.hhmm, "^",
                  "00501", isa13, "0", config.production ? "P" : "T", ":"}) +
         "~";
  // GS: HC = health care claim; X = accredited standards committee X12.
  out += Segment({"GS", "HC", config.interchange_sender_id, config.interchange_receiver_id,
                  stamp.ccyymmdd, stamp.hhmm, group_number, "X", "005010X222A1"}) +
         "~";
  for (const std::string& segment : set) out += segment + "~";
  out += Segment({"GE", "1", group_number}) + "~";
  out += Segment({"IEA", "1", isa13}) + "~";
  return out;
}

std::string PatientControlNumber(const std::string& suggestion_id) {
  constexpr std::size_t kClm01Max = 38;
  if (suggestion_id.size() <= kClm01Max) return suggestion_id;
  return "u" + Fnv1a64Hex(suggestion_id);
}

}  // namespace unitclock::core::exports
