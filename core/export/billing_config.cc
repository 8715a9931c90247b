#include "core/export/billing_config.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/event_validation.h"

namespace unitclock::core::exports {
namespace {

using nlohmann::json;

// A unit's charge above $1,000,000 is a typo, and keeps totals far from overflow.
constexpr std::uint64_t kMaxChargeCents = 100'000'000;

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool IsDigits(const std::string& text, std::size_t size) {
  return text.size() == size && std::all_of(text.begin(), text.end(), IsDigit);
}

// CMS NPI standard: the 10th digit is a Luhn check digit over the first nine
// prefixed with 80840 (the card issuer prefix of US health identifiers).
bool NpiCheckDigitValid(const std::string& npi) {
  int sum = 24;  // the Luhn sum of the prefix 80840
  for (int i = 8; i >= 0; --i) {
    int digit = npi[i] - '0';
    if ((8 - i) % 2 == 0) {  // every other digit from the right of the first nine
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - sum % 10) % 10 == npi[9] - '0';
}

// ICD-10-CM as X12 writes it: a letter, a digit, then 1 to 5 letters or
// digits, no dot (e.g. M6281).
bool IsIcd10Code(const std::string& text) {
  return text.size() >= 3 && text.size() <= 7 && IsUpper(text[0]) && IsDigit(text[1]) &&
         std::all_of(text.begin() + 2, text.end(), [](char c) { return IsUpper(c) || IsDigit(c); });
}

// Parses strictly: a key twice in one object is an error (nlohmann keeps the
// last one silently, so a pasted duplicate would override a value).
json ParseStrict(std::string_view text, std::string* duplicate_key) {
  std::vector<std::set<std::string>> open_objects;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty() &&
               !open_objects.back().insert(parsed.get<std::string>()).second &&
               duplicate_key->empty()) {
      *duplicate_key = parsed.get<std::string>();
    }
    return true;
  };
  return json::parse(text, callback, /*allow_exceptions=*/false);
}

// Validation of one file: every error names the file, then the dotted key.
class Checker {
 public:
  explicit Checker(std::string source) : source_(std::move(source)) {}

  absl::Status Error(const std::string& key, const std::string& problem) const {
    return absl::InvalidArgumentError(source_ + ": " + key + ": " + problem);
  }

  // `object` (at `where`, "" for the top level) must be an object with every
  // `required` key and no other key than those and `optional`. Unknown keys
  // are reported first: a typo must not read as a missing key.
  absl::Status Keys(const json& object, const std::string& where,
                    std::initializer_list<const char*> required,
                    std::initializer_list<const char*> optional) const {
    if (!object.is_object()) return Error(where, "must be an object");
    for (const auto& item : object.items()) {
      // Not a structured binding: clang before 16 cannot capture one in a lambda.
      const std::string& key = item.key();
      const auto is_key = [&key](const char* known) { return key == known; };
      if (std::none_of(required.begin(), required.end(), is_key) &&
          std::none_of(optional.begin(), optional.end(), is_key)) {
        return Error(Dotted(where, key), "unknown key");
      }
    }
    for (const char* key : required) {
      if (!object.contains(key)) return Error(Dotted(where, key), "required");
    }
    return absl::OkStatus();
  }

  // A non-empty string of at most `max_size` characters without an X12 delimiter.
  absl::StatusOr<std::string> Text(const json& value, const std::string& key,
                                   std::size_t max_size) const {
    if (!value.is_string()) return Error(key, "must be a string");
    std::string text = value.get<std::string>();
    if (text.empty()) return Error(key, "must not be empty");
    if (text.size() > max_size) {
      return Error(key, "must be at most " + std::to_string(max_size) + " characters");
    }
    if (HasX12Delimiter(text)) return Error(key, "must not contain the X12 delimiters ~ * : ^");
    return text;
  }

  // A string of exactly `size` digits.
  absl::StatusOr<std::string> Digits(const json& value, const std::string& key,
                                     std::size_t size) const {
    if (!value.is_string()) return Error(key, "must be a string");
    std::string text = value.get<std::string>();
    if (!IsDigits(text, size)) return Error(key, "must be " + std::to_string(size) + " digits");
    return text;
  }

  static std::string Dotted(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }

 private:
  std::string source_;
};

// Reads "name" and "id" of the object at `where` into a party.
absl::StatusOr<Party> ReadParty(const Checker& check, const json& object,
                                const std::string& where) {
  Party party;
  auto name = check.Text(object["name"], where + ".name", 60);
  if (!name.ok()) return name.status();
  party.name = *name;
  auto id = check.Text(object["id"], where + ".id", 80);
  if (!id.ok()) return id.status();
  party.id = *id;
  return party;
}

}  // namespace

absl::StatusOr<BillingConfig> ParseBillingConfig(std::string_view json_text,
                                                 const std::string& source) {
  const Checker check(source);
  std::string duplicate_key;
  const json doc = ParseStrict(json_text, &duplicate_key);
  if (doc.is_discarded()) return absl::InvalidArgumentError(source + ": not valid JSON");
  if (!duplicate_key.empty()) return check.Error(duplicate_key, "appears twice in one object");
  if (!doc.is_object()) return absl::InvalidArgumentError(source + ": must be a JSON object");
  absl::Status status = check.Keys(doc, "",
                                   {"format_version", "submitter", "receiver", "billing_provider",
                                    "interchange", "payers", "charge_cents"},
                                   {"description", "production", "default_diagnosis"});
  if (!status.ok()) return status;
  if (!doc["format_version"].is_number_integer() || doc["format_version"].get<int>() != 1) {
    return check.Error("format_version", "must be 1");
  }
  if (doc.contains("description") && !doc["description"].is_string()) {
    return check.Error("description", "must be a string");
  }

  BillingConfig config;
  if (doc.contains("production")) {
    if (!doc["production"].is_boolean()) return check.Error("production", "must be true or false");
    config.production = doc["production"].get<bool>();
  }

  // Submitter (X12 1000A): NM1*41 name and id (ETIN, up to 80), PER contact.
  const json& submitter = doc["submitter"];
  status = check.Keys(submitter, "submitter", {"name", "id", "contact", "phone"}, {});
  if (!status.ok()) return status;
  auto submitter_party = ReadParty(check, submitter, "submitter");
  if (!submitter_party.ok()) return submitter_party.status();
  config.submitter = *submitter_party;
  auto contact = check.Text(submitter["contact"], "submitter.contact", 60);
  if (!contact.ok()) return contact.status();
  config.submitter_contact = *contact;
  auto phone = check.Digits(submitter["phone"], "submitter.phone", 10);
  if (!phone.ok()) return phone.status();
  config.submitter_phone = *phone;

  // Receiver (X12 1000B): NM1*40.
  const json& receiver = doc["receiver"];
  status = check.Keys(receiver, "receiver", {"name", "id"}, {});
  if (!status.ok()) return status;
  auto receiver_party = ReadParty(check, receiver, "receiver");
  if (!receiver_party.ok()) return receiver_party.status();
  config.receiver = *receiver_party;

  // Billing provider (X12 2010AA).
  const json& provider = doc["billing_provider"];
  status = check.Keys(provider, "billing_provider",
                      {"name", "npi", "tax_id", "address", "city", "state", "zip"}, {});
  if (!status.ok()) return status;
  auto provider_name = check.Text(provider["name"], "billing_provider.name", 60);
  if (!provider_name.ok()) return provider_name.status();
  auto npi = check.Digits(provider["npi"], "billing_provider.npi", 10);
  if (!npi.ok()) return npi.status();
  if (!NpiCheckDigitValid(*npi)) {
    return check.Error("billing_provider.npi", Quoted(*npi) + " has a wrong check digit");
  }
  config.billing_provider = {.name = *provider_name, .id = *npi};
  auto tax_id = check.Digits(provider["tax_id"], "billing_provider.tax_id", 9);
  if (!tax_id.ok()) return tax_id.status();
  config.billing_tax_id = *tax_id;
  auto address = check.Text(provider["address"], "billing_provider.address", 55);
  if (!address.ok()) return address.status();
  config.billing_address = *address;
  auto city = check.Text(provider["city"], "billing_provider.city", 30);
  if (!city.ok()) return city.status();
  config.billing_city = *city;
  const json& state = provider["state"];
  config.billing_state = state.is_string() ? state.get<std::string>() : "";
  if (config.billing_state.size() != 2 ||
      !std::all_of(config.billing_state.begin(), config.billing_state.end(), IsUpper)) {
    return check.Error("billing_provider.state", "must be 2 upper-case letters");
  }
  const json& zip = provider["zip"];
  config.billing_zip = zip.is_string() ? zip.get<std::string>() : "";
  if (!IsDigits(config.billing_zip, 5) && !IsDigits(config.billing_zip, 9)) {
    return check.Error("billing_provider.zip", "must be 5 or 9 digits");
  }

  // Interchange ids (ISA06, ISA08): 1 to 15 characters, padded by the writer.
  const json& interchange = doc["interchange"];
  status = check.Keys(interchange, "interchange", {"sender_id", "receiver_id"}, {});
  if (!status.ok()) return status;
  auto sender_id = check.Text(interchange["sender_id"], "interchange.sender_id", 15);
  if (!sender_id.ok()) return sender_id.status();
  config.interchange_sender_id = *sender_id;
  auto receiver_id = check.Text(interchange["receiver_id"], "interchange.receiver_id", 15);
  if (!receiver_id.ok()) return receiver_id.status();
  config.interchange_receiver_id = *receiver_id;

  if (doc.contains("default_diagnosis")) {
    const json& diagnosis = doc["default_diagnosis"];
    if (!diagnosis.is_string() || !IsIcd10Code(diagnosis.get<std::string>())) {
      return check.Error("default_diagnosis",
                         "must be an ICD-10-CM code without the dot (e.g. M6281)");
    }
    config.default_diagnosis = diagnosis.get<std::string>();
  }

  // Payers: payer_id (as the payer policies and claims name it) -> identity.
  const json& payers = doc["payers"];
  if (!payers.is_object()) return check.Error("payers", "must be an object");
  if (payers.empty()) return check.Error("payers", "must name at least one payer");
  for (const auto& [payer_id, entry] : payers.items()) {
    if (payer_id.empty()) return check.Error("payers", "a payer_id must not be empty");
    const std::string where = "payers." + payer_id;
    status = check.Keys(entry, where, {"name", "id"}, {});
    if (!status.ok()) return status;
    auto party = ReadParty(check, entry, where);
    if (!party.ok()) return party.status();
    config.payers[payer_id] = *party;
  }

  const json& charges = doc["charge_cents"];
  if (!charges.is_object()) return check.Error("charge_cents", "must be an object");
  for (const auto& [code, cents] : charges.items()) {
    const std::string where = "charge_cents." + code;
    if (!IsDigits(code, 5)) return check.Error(where, "must be a 5-digit code");
    if (!cents.is_number_integer()) return check.Error(where, "must be an integer (cents)");
    if (!cents.is_number_unsigned() && cents.get<std::int64_t>() < 0) {
      return check.Error(where, "must be at least 0");
    }
    if (cents.get<std::uint64_t>() > kMaxChargeCents) {
      return check.Error(where, "must be at most " + std::to_string(kMaxChargeCents));
    }
    config.charge_cents[code] = cents.get<std::int64_t>();
  }
  return config;
}

absl::Status CheckExportableClaim(const Claim& claim, const BillingConfig& config) {
  const auto error = [](const std::string& problem) { return absl::InvalidArgumentError(problem); };
  if (claim.suggestion_id.empty()) return error("suggestion_id: required");
  if (claim.patient_ref.empty()) return error("patient_ref: required");
  if (HasX12Delimiter(claim.suggestion_id)) {
    return error("suggestion_id: contains an X12 delimiter (~ * : ^)");
  }
  if (HasX12Delimiter(claim.patient_ref)) {
    return error("patient_ref: contains an X12 delimiter (~ * : ^)");
  }
  if (config.payers.count(claim.payer_id) == 0) {
    return error("payer_id: " + Quoted(claim.payer_id) + " is not in the billing config");
  }
  if (claim.lines.empty()) return error("lines: no line to bill");
  for (std::size_t j = 0; j < claim.lines.size(); ++j) {
    const ClaimLine& line = claim.lines[j];
    const std::string at = "lines[" + std::to_string(j) + "] (" + line.code + ")";
    if (config.charge_cents.count(line.code) == 0) {
      return error(at + ": code has no charge in the billing config");
    }
    if (line.units < 1 || line.units > 99) return error(at + ": units must be 1 to 99");
    if (line.modifiers.size() > 4) return error(at + ": more than 4 modifiers");
    for (const std::string& modifier : line.modifiers) {
      if (modifier.size() != 2 || !std::all_of(modifier.begin(), modifier.end(),
                                               [](char c) { return IsUpper(c) || IsDigit(c); })) {
        return error(at + ": modifier " + Quoted(modifier) +
                     " must be 2 upper-case letters or digits");
      }
    }
    if (!IsDigits(line.place_of_service, 2)) {
      return error(at + ": place_of_service must be 2 digits");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckExportable(std::span<const Claim> claims, const BillingConfig& config) {
  for (std::size_t i = 0; i < claims.size(); ++i) {
    if (absl::Status st = CheckExportableClaim(claims[i], config); !st.ok()) {
      return absl::InvalidArgumentError("claims[" + std::to_string(i) + "] (" +
                                        claims[i].suggestion_id +
                                        "): " + std::string(st.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace unitclock::core::exports
