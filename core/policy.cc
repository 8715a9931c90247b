#include "core/policy.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "core/monitoring.h"

namespace unitclock::core {
namespace {

using nlohmann::json;

constexpr ActivityKind kActivityKinds[] = {
    ActivityKind::kTherapeuticExercise,
    ActivityKind::kNeuromuscularReeducation,
    ActivityKind::kGaitTraining,
    ActivityKind::kMassage,
    ActivityKind::kManualTherapy,
    ActivityKind::kTherapeuticActivities,
    ActivityKind::kSelfCare,
    ActivityKind::kGroupTherapy,
};
constexpr Discipline kDisciplines[] = {
    Discipline::kPhysicalTherapy, Discipline::kOccupationalTherapy, Discipline::kSpeechLanguage};

std::optional<ActivityKind> ActivityKindFromName(const std::string& name) {
  for (ActivityKind kind : kActivityKinds) {
    if (name == ActivityKindName(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<Discipline> DisciplineFromName(const std::string& name) {
  for (Discipline discipline : kDisciplines) {
    if (name == DisciplineName(discipline)) return discipline;
  }
  return std::nullopt;
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// "a" + "b" -> "a: b"; the parts of an error's location.
std::string At(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + ": " + key;
}

bool IsDigits(const std::string& text, std::size_t size) {
  return text.size() == size &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsCode(const std::string& text) { return IsDigits(text, 5); }

// Parses strictly: a key twice in one object is an error (nlohmann would keep
// the last one silently, so a pasted duplicate would override a value).
json ParseStrict(std::string_view text, std::string* duplicate_key) {
  std::vector<std::set<std::string>> open_objects;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second &&
            duplicate_key->empty()) {
          *duplicate_key = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  return json::parse(text, callback, /*allow_exceptions=*/false);
}

// Validation of one file: every error names the file, then the location.
class Checker {
 public:
  explicit Checker(std::string source) : source_(std::move(source)) {}

  absl::Status Error(const std::string& where, const std::string& problem) const {
    return absl::InvalidArgumentError(At(source_, At(where, problem)));
  }

  // Parses the document: a JSON object, no key twice in one object.
  absl::StatusOr<json> Document(std::string_view text) const {
    std::string duplicate_key;
    json doc = ParseStrict(text, &duplicate_key);
    if (doc.is_discarded()) return absl::InvalidArgumentError(source_ + ": not valid JSON");
    if (!duplicate_key.empty()) return Error(duplicate_key, "appears twice in one object");
    if (!doc.is_object()) return absl::InvalidArgumentError(source_ + ": must be a JSON object");
    return doc;
  }

  // `object` (at `where`) must be an object with every `required` key and no
  // key outside `required` and `optional`. Unknown keys are reported first:
  // a typo must not read as a missing key. Keys of a nested settings object
  // are named with dots ("modifiers.discipline.physical_therapy").
  absl::Status Keys(const json& object, const std::string& where,
                    std::initializer_list<const char*> required,
                    std::initializer_list<const char*> optional, bool dotted = false) const {
    const auto key_at = [&where, dotted](const std::string& key) {
      return dotted ? where + "." + key : At(where, key);
    };
    if (!object.is_object()) return Error(where, "must be an object");
    for (const auto& item : object.items()) {
      // Not a structured binding: clang before 16 cannot capture one in a lambda.
      const std::string& key = item.key();
      const auto is_key = [&key](const char* known) { return key == known; };
      if (std::none_of(required.begin(), required.end(), is_key) &&
          std::none_of(optional.begin(), optional.end(), is_key)) {
        return Error(key_at(key), "unknown key");
      }
    }
    for (const char* key : required) {
      if (!object.contains(key)) return Error(key_at(key), "required");
    }
    // Past the check above, a "description" is one the entry allows.
    if (object.contains("description") && !object["description"].is_string()) {
      return Error(key_at("description"), "must be a string");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> String(const json& value, const std::string& where) const {
    if (!value.is_string()) return Error(where, "must be a string");
    return value.get<std::string>();
  }

  absl::StatusOr<bool> Bool(const json& value, const std::string& where) const {
    if (!value.is_boolean()) return Error(where, "must be true or false");
    return value.get<bool>();
  }

  absl::StatusOr<std::int64_t> Int(const json& value, const std::string& where, std::int64_t min,
                                   std::int64_t max) const {
    if (!value.is_number_integer()) return Error(where, "must be an integer");
    const bool too_big = value.is_number_unsigned()
                             ? value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)
                             : value.get<std::int64_t>() > max;
    if (too_big || value.get<std::int64_t>() < min) {
      if (max >= std::numeric_limits<int>::max()) {  // no upper bound worth naming
        return Error(where, "must be at least " + std::to_string(min));
      }
      return Error(where, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return value.get<std::int64_t>();
  }

  absl::Status FormatVersion(const json& doc) const {
    if (!doc["format_version"].is_number_integer() || doc["format_version"].get<int>() != 1) {
      return Error("format_version", "must be 1");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Modifier(const json& value, const std::string& where,
                                       bool may_be_empty) const {
    auto text = String(value, where);
    if (!text.ok()) return text.status();
    if (may_be_empty && text->empty()) return text;
    if (!IsModifier(*text)) {
      return Error(where, Quoted(*text) + " must be 2 upper-case letters or digits" +
                              (may_be_empty ? " (or empty for none)" : ""));
    }
    return text;
  }

  absl::StatusOr<Day> DayAt(const json& value, const std::string& where) const {
    auto text = String(value, where);
    if (!text.ok()) return text.status();
    const auto day = ParseDay(*text);
    if (!day) return Error(where, Quoted(*text) + " is not a valid date (YYYY-MM-DD)");
    return *day;
  }

  // A list of dated windows, at `key` of the entry at `where`; no two overlap.
  absl::StatusOr<std::vector<DateWindow>> Windows(const json& value, const std::string& where,
                                                  const std::string& key) const {
    const std::string list_where = At(where, key);
    if (!value.is_array()) return Error(list_where, "must be an array");
    std::vector<DateWindow> windows;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item = At(where, key + "[" + std::to_string(i) + "]");
      const json& entry = value[i];
      if (auto status = Keys(entry, item, {"from", "to", "source"}, {"description", "uncertain"});
          !status.ok()) {
        return status;
      }
      DateWindow window;
      auto from = DayAt(entry["from"], At(item, "from"));
      if (!from.ok()) return from.status();
      window.from = *from;
      if (!entry["to"].is_null()) {
        auto to = DayAt(entry["to"], At(item, "to"));
        if (!to.ok()) return to.status();
        if (*to < *from) {
          return Error(At(item, "to"), FormatDay(*to) + " is before from " + FormatDay(*from));
        }
        window.to = *to;
      }
      auto source = String(entry["source"], At(item, "source"));
      if (!source.ok()) return source.status();
      if (source->empty()) return Error(At(item, "source"), "must not be empty");
      window.source = *source;
      if (entry.contains("uncertain")) {
        auto uncertain = Bool(entry["uncertain"], At(item, "uncertain"));
        if (!uncertain.ok()) return uncertain.status();
        window.uncertain = *uncertain;
      }
      for (std::size_t j = 0; j < windows.size(); ++j) {
        const DateWindow& other = windows[j];
        const bool apart =
            (window.to && *window.to < other.from) || (other.to && *other.to < window.from);
        if (!apart) return Error(item, "overlaps " + key + "[" + std::to_string(j) + "]");
      }
      windows.push_back(std::move(window));
    }
    return windows;
  }

 private:
  std::string source_;
};

// Unwraps a StatusOr into `target`, or returns its error from the caller.
#define UNITCLOCK_ASSIGN(target, expr)                              \
  do {                                                              \
    auto unitclock_result_ = (expr);                                \
    if (!unitclock_result_.ok()) return unitclock_result_.status(); \
    target = *std::move(unitclock_result_);                         \
  } while (false)

#define UNITCLOCK_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    absl::Status unitclock_status_ = (expr);               \
    if (!unitclock_status_.ok()) return unitclock_status_; \
  } while (false)

// The label every code entry of the policy files has: its five-digit
// "code", a "description" that is not empty, and an optional "note" string.
absl::Status ReadCodeLabel(const Checker& check, const json& item, const std::string& where,
                           std::string& code, std::string& description) {
  UNITCLOCK_ASSIGN(code, check.String(item["code"], At(where, "code")));
  if (!IsCode(code)) return check.Error(At(where, "code"), Quoted(code) + " must be five digits");
  UNITCLOCK_ASSIGN(description, check.String(item["description"], At(where, "description")));
  if (description.empty()) return check.Error(At(where, "description"), "must not be empty");
  if (item.contains("note")) {
    UNITCLOCK_RETURN_IF_ERROR(check.String(item["note"], At(where, "note")).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<CodeEntry> ParseCodeEntry(const Checker& check, const json& item,
                                         const std::string& where) {
  UNITCLOCK_RETURN_IF_ERROR(
      check.Keys(item, where,
                 {"code", "description", "timed", "activity_kinds", "disciplines", "hands_on",
                  "needs_video", "telehealth_list"},
                 {"note", "initial_code"}));
  CodeEntry entry;
  UNITCLOCK_RETURN_IF_ERROR(ReadCodeLabel(check, item, where, entry.code, entry.description));
  UNITCLOCK_ASSIGN(entry.timed, check.Bool(item["timed"], At(where, "timed")));
  UNITCLOCK_ASSIGN(entry.hands_on, check.Bool(item["hands_on"], At(where, "hands_on")));
  UNITCLOCK_ASSIGN(entry.needs_video, check.Bool(item["needs_video"], At(where, "needs_video")));

  const std::string kinds_where = At(where, "activity_kinds");
  if (!item["activity_kinds"].is_array()) return check.Error(kinds_where, "must be an array");
  for (const json& name : item["activity_kinds"]) {
    std::string text;
    UNITCLOCK_ASSIGN(text, check.String(name, kinds_where));
    const auto kind = ActivityKindFromName(text);
    if (!kind) return check.Error(kinds_where, Quoted(text) + " is not an activity kind");
    if (std::count(entry.activity_kinds.begin(), entry.activity_kinds.end(), *kind) > 0) {
      return check.Error(kinds_where, Quoted(text) + " is listed twice");
    }
    entry.activity_kinds.push_back(*kind);
  }

  const std::string disciplines_where = At(where, "disciplines");
  if (!item["disciplines"].is_array()) return check.Error(disciplines_where, "must be an array");
  for (const json& name : item["disciplines"]) {
    std::string text;
    UNITCLOCK_ASSIGN(text, check.String(name, disciplines_where));
    const auto discipline = DisciplineFromName(text);
    if (!discipline) return check.Error(disciplines_where, Quoted(text) + " is not a discipline");
    if (std::count(entry.disciplines.begin(), entry.disciplines.end(), *discipline) > 0) {
      return check.Error(disciplines_where, Quoted(text) + " is listed twice");
    }
    entry.disciplines.push_back(*discipline);
  }
  if (entry.disciplines.empty()) {
    return check.Error(disciplines_where, "must name at least one discipline");
  }

  UNITCLOCK_ASSIGN(entry.telehealth_list,
                   check.Windows(item["telehealth_list"], where, "telehealth_list"));

  // The code's own checks; what the initial code names is checked once every
  // entry is read (ParseCodeCatalogue), since it may come later in the file.
  if (item.contains("initial_code")) {
    const std::string initial_where = At(where, "initial_code");
    UNITCLOCK_ASSIGN(entry.initial_code, check.String(item["initial_code"], initial_where));
    if (!IsCode(entry.initial_code)) {
      return check.Error(initial_where, Quoted(entry.initial_code) + " must be five digits");
    }
    if (entry.initial_code == entry.code) {
      return check.Error(initial_where, entry.initial_code + ": names the entry itself");
    }
    if (!entry.timed) {
      return check.Error(initial_where,
                         "only for a timed code (an \"each additional 15 minutes\" code); "
                         "timed is false");
    }
  }
  return entry;
}

absl::Status ParseModifiers(const Checker& check, const json& doc, PayerPolicy& policy) {
  const json& modifiers = doc["modifiers"];
  UNITCLOCK_RETURN_IF_ERROR(check.Keys(modifiers, "modifiers",
                                       {"discipline", "telehealth_audio_video",
                                        "telehealth_audio_only", "threshold", "distinct_service"},
                                       {"assistant", "assistant_de_minimis_percent", "description"},
                                       /*dotted=*/true));

  const json& discipline = modifiers["discipline"];
  UNITCLOCK_RETURN_IF_ERROR(
      check.Keys(discipline, "modifiers.discipline",
                 {"physical_therapy", "occupational_therapy", "speech_language_pathology"}, {},
                 /*dotted=*/true));
  for (Discipline d : kDisciplines) {
    const std::string name = DisciplineName(d);
    UNITCLOCK_ASSIGN(policy.discipline_modifier[d],
                     check.Modifier(discipline[name], "modifiers.discipline." + name,
                                    /*may_be_empty=*/false));
  }

  UNITCLOCK_ASSIGN(policy.telehealth_audio_video_modifier,
                   check.Modifier(modifiers["telehealth_audio_video"],
                                  "modifiers.telehealth_audio_video", /*may_be_empty=*/true));
  UNITCLOCK_ASSIGN(policy.telehealth_audio_only_modifier,
                   check.Modifier(modifiers["telehealth_audio_only"],
                                  "modifiers.telehealth_audio_only", /*may_be_empty=*/true));
  UNITCLOCK_ASSIGN(policy.threshold_modifier,
                   check.Modifier(modifiers["threshold"], "modifiers.threshold",
                                  /*may_be_empty=*/true));
  UNITCLOCK_ASSIGN(policy.distinct_service_modifier,
                   check.Modifier(modifiers["distinct_service"], "modifiers.distinct_service",
                                  /*may_be_empty=*/false));

  // CQ/CO and their de minimis share go together: one without the other is a
  // half-edited file.
  if (modifiers.contains("assistant")) {
    const json& assistant = modifiers["assistant"];
    UNITCLOCK_RETURN_IF_ERROR(check.Keys(assistant, "modifiers.assistant", {},
                                         {"physical_therapy", "occupational_therapy"},
                                         /*dotted=*/true));
    for (Discipline d : {Discipline::kPhysicalTherapy, Discipline::kOccupationalTherapy}) {
      const std::string name = DisciplineName(d);
      if (!assistant.contains(name)) continue;
      UNITCLOCK_ASSIGN(policy.assistant_modifier[d],
                       check.Modifier(assistant[name], "modifiers.assistant." + name,
                                      /*may_be_empty=*/false));
    }
    if (!modifiers.contains("assistant_de_minimis_percent")) {
      return check.Error("modifiers.assistant_de_minimis_percent", "required with assistant");
    }
    std::int64_t percent = 0;
    UNITCLOCK_ASSIGN(percent, check.Int(modifiers["assistant_de_minimis_percent"],
                                        "modifiers.assistant_de_minimis_percent", 0, 100));
    policy.assistant_de_minimis_percent = static_cast<int>(percent);
  } else if (modifiers.contains("assistant_de_minimis_percent")) {
    return check.Error("modifiers.assistant_de_minimis_percent", "only with assistant");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsModifier(std::string_view text) {
  return text.size() == 2 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

CodeCatalogue::CodeCatalogue(std::vector<CodeEntry> entries) : entries_(std::move(entries)) {
  // The first entry wins; ParseCodeCatalogue rejects duplicates anyway.
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    by_code_.emplace(entries_[i].code, i);
    for (ActivityKind kind : entries_[i].activity_kinds) by_kind_.emplace(kind, i);
    if (!entries_[i].initial_code.empty()) continuation_of_.emplace(entries_[i].initial_code, i);
  }
}

const CodeEntry* CodeCatalogue::ContinuationOf(std::string_view code) const {
  const auto it = continuation_of_.find(code);
  return it == continuation_of_.end() ? nullptr : &entries_[it->second];
}

const CodeEntry* CodeCatalogue::Find(std::string_view code) const {
  const auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &entries_[it->second];
}

const CodeEntry* CodeCatalogue::ForKind(ActivityKind kind) const {
  if (kind == ActivityKind::kUnspecified) return nullptr;
  const auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? nullptr : &entries_[it->second];
}

const ThresholdYear* PayerPolicy::ThresholdFor(int year) const {
  for (const ThresholdYear& threshold : thresholds) {
    if (threshold.year == year) return &threshold;
  }
  return nullptr;
}

const PayerPolicy* PolicySet::FindPayer(std::string_view payer_id) const {
  const auto it = payers.find(std::string(payer_id));
  return it == payers.end() ? nullptr : &it->second;
}

absl::StatusOr<CodeCatalogue> ParseCodeCatalogue(std::string_view json_text,
                                                 const std::string& source) {
  const Checker check(source);
  json doc;
  UNITCLOCK_ASSIGN(doc, check.Document(json_text));
  UNITCLOCK_RETURN_IF_ERROR(check.Keys(doc, "", {"format_version", "codes"}, {"description"}));
  UNITCLOCK_RETURN_IF_ERROR(check.FormatVersion(doc));
  const json& codes = doc["codes"];
  if (!codes.is_array()) return check.Error("codes", "must be an array");
  if (codes.empty()) return check.Error("codes", "must not be empty");

  std::vector<CodeEntry> entries;
  std::vector<std::string> wheres;  // each entry's location, for the checks after the loop
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const json& item = codes[i];
    // Name the entry by its code once the code reads as one.
    std::string where = "codes[" + std::to_string(i) + "]";
    if (item.is_object() && item.contains("code") && item["code"].is_string() &&
        IsCode(item["code"].get<std::string>())) {
      where += " (" + item["code"].get<std::string>() + ")";
    }
    CodeEntry entry;
    UNITCLOCK_ASSIGN(entry, ParseCodeEntry(check, item, where));
    for (std::size_t j = 0; j < entries.size(); ++j) {
      if (entries[j].code == entry.code) {
        return check.Error(At(where, "code"),
                           "appears twice (codes[" + std::to_string(j) + "] too)");
      }
      for (ActivityKind kind : entry.activity_kinds) {
        if (std::count(entries[j].activity_kinds.begin(), entries[j].activity_kinds.end(), kind)) {
          return check.Error(
              At(where, "activity_kinds"),
              Quoted(ActivityKindName(kind)) + " is already mapped to " + entries[j].code);
        }
      }
    }
    entries.push_back(std::move(entry));
    wheres.push_back(std::move(where));
  }

  // An "each additional" code names the timed code of its first unit, which
  // is not an "each additional" code itself (one level, no chains or loops).
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const CodeEntry& entry = entries[i];
    if (entry.initial_code.empty()) continue;
    const std::string where = At(At(wheres[i], "initial_code"), entry.initial_code);
    const auto initial = std::find_if(entries.begin(), entries.end(), [&entry](const CodeEntry& e) {
      return e.code == entry.initial_code;
    });
    if (initial == entries.end()) return check.Error(where, "not in the catalogue");
    if (!initial->timed) return check.Error(where, "is untimed; an initial code must be timed");
    if (!initial->initial_code.empty()) {
      return check.Error(where, "has an initial_code itself (" + initial->initial_code +
                                    "); an initial code must not");
    }
  }
  return CodeCatalogue(std::move(entries));
}

absl::StatusOr<PayerPolicy> ParsePayerPolicy(std::string_view json_text,
                                             const std::string& source) {
  const Checker check(source);
  json doc;
  UNITCLOCK_ASSIGN(doc, check.Document(json_text));
  UNITCLOCK_RETURN_IF_ERROR(check.Keys(
      doc, "",
      {"format_version", "payer_id", "name", "sample", "unit_method", "seconds_rounding",
       "modifiers", "place_of_service", "therapist_telehealth", "therapy_thresholds", "ncci_edits",
       "assistants_not_recognized", "audio_only_requires_home", "telehealth_list"},
      {"description", "remote_monitoring"}));
  UNITCLOCK_RETURN_IF_ERROR(check.FormatVersion(doc));

  PayerPolicy policy;
  UNITCLOCK_ASSIGN(policy.payer_id, check.String(doc["payer_id"], "payer_id"));
  // The file name is the payer's id, so that an operator finds a payer's file
  // by its id and two files cannot claim one payer.
  const std::string stem = std::filesystem::path(source).stem().string();
  if (policy.payer_id != stem) {
    return check.Error("payer_id",
                       Quoted(policy.payer_id) + " must equal the file name " + Quoted(stem));
  }
  UNITCLOCK_ASSIGN(policy.name, check.String(doc["name"], "name"));
  if (policy.name.empty()) return check.Error("name", "must not be empty");
  UNITCLOCK_ASSIGN(policy.sample, check.Bool(doc["sample"], "sample"));

  std::string text;
  UNITCLOCK_ASSIGN(text, check.String(doc["unit_method"], "unit_method"));
  if (text == UnitMethodName(UnitMethod::kMedicarePooled)) {
    policy.unit_method = UnitMethod::kMedicarePooled;
  } else if (text == UnitMethodName(UnitMethod::kCptMidpoint)) {
    policy.unit_method = UnitMethod::kCptMidpoint;
  } else {
    return check.Error("unit_method", Quoted(text) + " must be medicare_pooled or cpt_midpoint");
  }
  UNITCLOCK_ASSIGN(text, check.String(doc["seconds_rounding"], "seconds_rounding"));
  if (text == "floor") {
    policy.rounding = SecondsRounding::kFloor;
  } else if (text == "nearest") {
    policy.rounding = SecondsRounding::kNearest;
  } else {
    return check.Error("seconds_rounding", Quoted(text) + " must be floor or nearest");
  }

  UNITCLOCK_RETURN_IF_ERROR(ParseModifiers(check, doc, policy));

  const json& pos = doc["place_of_service"];
  UNITCLOCK_RETURN_IF_ERROR(
      check.Keys(pos, "place_of_service", {"home", "other"}, {}, /*dotted=*/true));
  for (auto [key, target] :
       {std::pair{"home", &policy.pos_home}, std::pair{"other", &policy.pos_other}}) {
    const std::string where = std::string("place_of_service.") + key;
    UNITCLOCK_ASSIGN(*target, check.String(pos[key], where));
    if (!IsDigits(*target, 2)) return check.Error(where, Quoted(*target) + " must be 2 digits");
  }

  UNITCLOCK_ASSIGN(policy.therapist_telehealth,
                   check.Windows(doc["therapist_telehealth"], "", "therapist_telehealth"));

  const json& thresholds = doc["therapy_thresholds"];
  if (!thresholds.is_array()) return check.Error("therapy_thresholds", "must be an array");
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const std::string where = "therapy_thresholds[" + std::to_string(i) + "]";
    const json& item = thresholds[i];
    UNITCLOCK_RETURN_IF_ERROR(
        check.Keys(item, where, {"year", "pt_slp_cents", "ot_cents", "medical_review_cents"},
                   {"description"}));
    ThresholdYear year;
    std::int64_t value = 0;
    UNITCLOCK_ASSIGN(value, check.Int(item["year"], At(where, "year"), 1, 9999));
    year.year = static_cast<int>(value);
    if (policy.ThresholdFor(year.year) != nullptr) {
      return check.Error(At(where, "year"), std::to_string(year.year) + " appears twice");
    }
    constexpr std::int64_t kAny = std::numeric_limits<std::int64_t>::max();
    UNITCLOCK_ASSIGN(year.pt_slp_cents,
                     check.Int(item["pt_slp_cents"], At(where, "pt_slp_cents"), 0, kAny));
    UNITCLOCK_ASSIGN(year.ot_cents, check.Int(item["ot_cents"], At(where, "ot_cents"), 0, kAny));
    UNITCLOCK_ASSIGN(
        year.medical_review_cents,
        check.Int(item["medical_review_cents"], At(where, "medical_review_cents"), 0, kAny));
    policy.thresholds.push_back(year);
  }

  // Which NCCI tables apply: CMS's (core/policies/ncci/, loaded into
  // PolicySet::edits) or none.
  UNITCLOCK_ASSIGN(text, check.String(doc["ncci_edits"], "ncci_edits"));
  if (text == "cms") {
    policy.ncci_edits = true;
  } else if (text == "none") {
    policy.ncci_edits = false;
  } else {
    return check.Error("ncci_edits", Quoted(text) + " must be \"cms\" or \"none\"");
  }

  const json& unrecognized = doc["assistants_not_recognized"];
  if (!unrecognized.is_array()) return check.Error("assistants_not_recognized", "must be an array");
  for (std::size_t i = 0; i < unrecognized.size(); ++i) {
    const std::string where = "assistants_not_recognized[" + std::to_string(i) + "]";
    UNITCLOCK_ASSIGN(text, check.String(unrecognized[i], where));
    const std::optional<Discipline> discipline = DisciplineFromName(text);
    if (!discipline) {
      return check.Error(where, Quoted(text) +
                                    " must be physical_therapy, occupational_therapy or "
                                    "speech_language_pathology");
    }
    if (policy.assistant_modifier.count(*discipline) > 0) {
      return check.Error(where, Quoted(text) + " has an assistant modifier in modifiers.assistant");
    }
    policy.assistants_not_recognized.push_back(*discipline);
  }
  UNITCLOCK_ASSIGN(policy.audio_only_requires_home,
                   check.Bool(doc["audio_only_requires_home"], "audio_only_requires_home"));

  // The CMS list is dated per code in the catalogue; a payer with its own
  // list would need a schema of its own.
  UNITCLOCK_ASSIGN(text, check.String(doc["telehealth_list"], "telehealth_list"));
  if (text != "cms") return check.Error("telehealth_list", Quoted(text) + " must be \"cms\"");

  // Absent: the payer does not pay remote therapeutic monitoring.
  if (doc.contains("remote_monitoring")) {
    const json& block = doc["remote_monitoring"];
    UNITCLOCK_RETURN_IF_ERROR(check.Keys(block, "remote_monitoring",
                                         {"covered", "place_of_service"}, {"description"},
                                         /*dotted=*/true));
    RemoteMonitoringCoverage coverage;
    UNITCLOCK_ASSIGN(coverage.covered,
                     check.Windows(block["covered"], "remote_monitoring", "covered"));
    UNITCLOCK_ASSIGN(coverage.place_of_service,
                     check.String(block["place_of_service"], "remote_monitoring.place_of_service"));
    if (!IsDigits(coverage.place_of_service, 2)) {
      return check.Error("remote_monitoring.place_of_service",
                         Quoted(coverage.place_of_service) + " must be 2 digits");
    }
    policy.remote_monitoring = std::move(coverage);
  }
  return policy;
}

absl::StatusOr<MonitoringRules> ParseMonitoringRules(std::string_view json_text,
                                                     const std::string& source) {
  const Checker check(source);
  json doc;
  UNITCLOCK_ASSIGN(doc, check.Document(json_text));
  UNITCLOCK_RETURN_IF_ERROR(
      check.Keys(doc, "", {"format_version", "period_days", "codes"}, {"description"}));
  UNITCLOCK_RETURN_IF_ERROR(check.FormatVersion(doc));
  MonitoringRules rules;
  std::int64_t value = 0;
  UNITCLOCK_ASSIGN(value, check.Int(doc["period_days"], "period_days", 1, 366));
  rules.period_days = static_cast<int>(value);
  const json& codes = doc["codes"];
  if (!codes.is_array()) return check.Error("codes", "must be an array");
  if (codes.empty()) return check.Error("codes", "must not be empty");

  std::vector<std::string> wheres;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const json& item = codes[i];
    std::string where = "codes[" + std::to_string(i) + "]";
    if (item.is_object() && item.contains("code") && item["code"].is_string() &&
        IsCode(item["code"].get<std::string>())) {
      where += " (" + item["code"].get<std::string>() + ")";
    }
    if (!item.is_object() || !item.contains("kind") || !item["kind"].is_string()) {
      // The kind decides which keys the entry has: check it first.
      UNITCLOCK_RETURN_IF_ERROR(check.Keys(item, where, {"code", "description", "kind", "valid"},
                                           {"device_kind", "days", "minutes", "adds_to", "note"}));
      UNITCLOCK_RETURN_IF_ERROR(check.String(item["kind"], At(where, "kind")).status());
    }
    MonitoringCode code;
    const std::string kind_text = item["kind"].get<std::string>();
    bool known_kind = false;
    for (MonitoringCodeKind kind :
         {MonitoringCodeKind::kSetup, MonitoringCodeKind::kDeviceSupply,
          MonitoringCodeKind::kManagementFirst, MonitoringCodeKind::kManagementAdditional}) {
      if (kind_text == MonitoringCodeKindName(kind)) {
        code.kind = kind;
        known_kind = true;
      }
    }
    if (!known_kind) {
      return check.Error(At(where, "kind"),
                         Quoted(kind_text) +
                             " must be setup, device_supply, management_first or "
                             "management_additional");
    }
    switch (code.kind) {
      case MonitoringCodeKind::kSetup:
        UNITCLOCK_RETURN_IF_ERROR(
            check.Keys(item, where, {"code", "description", "kind", "valid"}, {"note"}));
        break;
      case MonitoringCodeKind::kDeviceSupply:
        UNITCLOCK_RETURN_IF_ERROR(
            check.Keys(item, where, {"code", "description", "kind", "valid", "device_kind", "days"},
                       {"note"}));
        break;
      case MonitoringCodeKind::kManagementFirst:
        UNITCLOCK_RETURN_IF_ERROR(
            check.Keys(item, where, {"code", "description", "kind", "valid", "minutes"}, {"note"}));
        break;
      case MonitoringCodeKind::kManagementAdditional:
        UNITCLOCK_RETURN_IF_ERROR(check.Keys(
            item, where, {"code", "description", "kind", "valid", "minutes", "adds_to"}, {"note"}));
        break;
    }
    UNITCLOCK_RETURN_IF_ERROR(ReadCodeLabel(check, item, where, code.code, code.description));
    if (code.kind == MonitoringCodeKind::kDeviceSupply) {
      std::string name;
      UNITCLOCK_ASSIGN(name, check.String(item["device_kind"], At(where, "device_kind")));
      bool known_device = false;
      for (DeviceKind kind : {DeviceKind::kMusculoskeletal, DeviceKind::kRespiratory,
                              DeviceKind::kCognitiveBehavioral}) {
        if (name == DeviceKindName(kind)) {
          code.device_kind = kind;
          known_device = true;
        }
      }
      if (!known_device) {
        return check.Error(
            At(where, "device_kind"),
            Quoted(name) + " must be musculoskeletal, respiratory or cognitive_behavioral");
      }
      const json& days = item["days"];
      const std::string days_where = At(where, "days");
      UNITCLOCK_RETURN_IF_ERROR(check.Keys(days, days_where, {"min", "max"}, {}, /*dotted=*/true));
      UNITCLOCK_ASSIGN(value, check.Int(days["min"], days_where + ".min", 1, rules.period_days));
      code.min_days = static_cast<int>(value);
      UNITCLOCK_ASSIGN(value, check.Int(days["max"], days_where + ".max", 1, rules.period_days));
      code.max_days = static_cast<int>(value);
      if (code.max_days < code.min_days) {
        return check.Error(days_where + ".max", std::to_string(code.max_days) + " is below min " +
                                                    std::to_string(code.min_days));
      }
    }
    if (code.kind == MonitoringCodeKind::kManagementFirst ||
        code.kind == MonitoringCodeKind::kManagementAdditional) {
      UNITCLOCK_ASSIGN(value, check.Int(item["minutes"], At(where, "minutes"), 1, 24 * 60));
      code.minutes = static_cast<int>(value);
    }
    if (code.kind == MonitoringCodeKind::kManagementAdditional) {
      UNITCLOCK_ASSIGN(code.adds_to, check.String(item["adds_to"], At(where, "adds_to")));
      if (!IsCode(code.adds_to)) {
        return check.Error(At(where, "adds_to"), Quoted(code.adds_to) + " must be five digits");
      }
    }
    UNITCLOCK_ASSIGN(code.valid, check.Windows(item["valid"], where, "valid"));
    if (code.valid.empty()) return check.Error(At(where, "valid"), "must not be empty");
    for (std::size_t j = 0; j < rules.codes.size(); ++j) {
      if (rules.codes[j].code == code.code) {
        return check.Error(At(where, "code"),
                           "appears twice (codes[" + std::to_string(j) + "] too)");
      }
    }
    rules.codes.push_back(std::move(code));
    wheres.push_back(std::move(where));
  }

  const auto overlapping_windows = [](const MonitoringCode& a, const MonitoringCode& b) {
    for (const DateWindow& x : a.valid) {
      for (const DateWindow& y : b.valid) {
        if (!((x.to && *x.to < y.from) || (y.to && *y.to < x.from))) return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i < rules.codes.size(); ++i) {
    const MonitoringCode& code = rules.codes[i];
    // An additional code follows a first code of the file (98981 after 98980).
    if (code.kind == MonitoringCodeKind::kManagementAdditional) {
      const MonitoringCode* first = rules.Find(code.adds_to);
      const std::string where = At(At(wheres[i], "adds_to"), code.adds_to);
      if (first == nullptr) return check.Error(where, "not in the file");
      if (first->kind != MonitoringCodeKind::kManagementFirst) {
        return check.Error(where, "must be a management_first code");
      }
    }
    // A period's days give one device code at most: the bands of one device
    // kind must not overlap on any date.
    for (std::size_t j = 0; j < i; ++j) {
      const MonitoringCode& other = rules.codes[j];
      if (code.kind != MonitoringCodeKind::kDeviceSupply ||
          other.kind != MonitoringCodeKind::kDeviceSupply ||
          code.device_kind != other.device_kind || code.max_days < other.min_days ||
          other.max_days < code.min_days || !overlapping_windows(code, other)) {
        continue;
      }
      return check.Error(At(wheres[i], "days"),
                         "overlaps the days of " + other.code + " (codes[" + std::to_string(j) +
                             "]) for " + DeviceKindName(code.device_kind) + " on common dates");
    }
  }
  return rules;
}

absl::Status CheckMonitoringCatalogue(const MonitoringRules& rules, const CodeCatalogue& catalogue,
                                      const std::string& source) {
  const Checker check(source);
  for (std::size_t i = 0; i < rules.codes.size(); ++i) {
    const MonitoringCode& code = rules.codes[i];
    const std::string where = "codes[" + std::to_string(i) + "] (" + code.code + ")";
    const CodeEntry* entry = catalogue.Find(code.code);
    if (entry == nullptr) return check.Error(where, "not in the code catalogue (codes.json)");
    if (entry->timed || !entry->activity_kinds.empty()) {
      return check.Error(where,
                         "must be untimed and without activity kinds in the code catalogue "
                         "(codes.json), so that no visit activity is coded as it");
    }
    if (entry->description != code.description) {
      return check.Error(
          At(where, "description"),
          "differs from the code catalogue's (codes.json): " + Quoted(entry->description));
    }
  }
  return absl::OkStatus();
}

const MonitoringCode* MonitoringRules::Find(std::string_view code) const {
  for (const MonitoringCode& entry : codes) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

const char* MonitoringCodeKindName(MonitoringCodeKind kind) {
  switch (kind) {
    case MonitoringCodeKind::kSetup:
      return "setup";
    case MonitoringCodeKind::kDeviceSupply:
      return "device_supply";
    case MonitoringCodeKind::kManagementFirst:
      return "management_first";
    case MonitoringCodeKind::kManagementAdditional:
      return "management_additional";
  }
  return "setup";
}

absl::StatusOr<DateWindow> ParseEditQuarterFile(std::string_view json_text,
                                                const std::string& source) {
  const Checker check(source);
  json doc;
  UNITCLOCK_ASSIGN(doc, check.Document(json_text));
  UNITCLOCK_RETURN_IF_ERROR(
      check.Keys(doc, "", {"format_version", "from", "to", "source"}, {"description"}));
  UNITCLOCK_RETURN_IF_ERROR(check.FormatVersion(doc));
  DateWindow window;
  UNITCLOCK_ASSIGN(window.from, check.DayAt(doc["from"], "from"));
  // A quarter ends: CMS replaces its tables every quarter.
  Day to;
  UNITCLOCK_ASSIGN(to, check.DayAt(doc["to"], "to"));
  if (to < window.from) {
    return check.Error("to", FormatDay(to) + " is before from " + FormatDay(window.from));
  }
  window.to = to;
  UNITCLOCK_ASSIGN(window.source, check.String(doc["source"], "source"));
  if (window.source.empty()) return check.Error("source", "must not be empty");
  return window;
}

const char* ActivityKindName(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kUnspecified:
      return "unspecified";
    case ActivityKind::kTherapeuticExercise:
      return "therapeutic_exercise";
    case ActivityKind::kNeuromuscularReeducation:
      return "neuromuscular_reeducation";
    case ActivityKind::kGaitTraining:
      return "gait_training";
    case ActivityKind::kMassage:
      return "massage";
    case ActivityKind::kManualTherapy:
      return "manual_therapy";
    case ActivityKind::kTherapeuticActivities:
      return "therapeutic_activities";
    case ActivityKind::kSelfCare:
      return "self_care";
    case ActivityKind::kGroupTherapy:
      return "group_therapy";
  }
  return "unspecified";
}

const char* DisciplineName(Discipline discipline) {
  switch (discipline) {
    case Discipline::kUnspecified:
      return "unspecified";
    case Discipline::kPhysicalTherapy:
      return "physical_therapy";
    case Discipline::kOccupationalTherapy:
      return "occupational_therapy";
    case Discipline::kSpeechLanguage:
      return "speech_language_pathology";
  }
  return "unspecified";
}

const char* UnitMethodName(UnitMethod method) {
  switch (method) {
    case UnitMethod::kMedicarePooled:
      return "medicare_pooled";
    case UnitMethod::kCptMidpoint:
      return "cpt_midpoint";
  }
  return "medicare_pooled";
}

}  // namespace unitclock::core

#undef UNITCLOCK_ASSIGN
#undef UNITCLOCK_RETURN_IF_ERROR
