#include "core/edit_tables.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <tuple>
#include <utility>

namespace unitclock::core {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// Lower case, runs of white space (line breaks included) as one space.
std::string Normalized(std::string_view text) {
  std::string out;
  for (char c : Trim(text)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// One record of a file: its fields and the line it starts on (1-based).
struct Record {
  int line = 0;
  std::vector<std::string> fields;
  bool Blank() const {
    return std::all_of(fields.begin(), fields.end(),
                       [](const std::string& field) { return Trim(field).empty(); });
  }
};

// Errors of one file: "<source>: line N: <field>: <problem>".
class FileErrors {
 public:
  explicit FileErrors(const std::string& source) : source_(source) {}
  absl::Status At(int line, const std::string& field, const std::string& problem) const {
    std::string message = source_ + ": line " + std::to_string(line) + ": ";
    if (!field.empty()) message += field + ": ";
    return absl::InvalidArgumentError(message + problem);
  }
  absl::Status File(const std::string& problem) const {
    return absl::InvalidArgumentError(source_ + ": " + problem);
  }

 private:
  const std::string& source_;
};

std::string_view WithoutBom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

// The tab-separated lines of a PTP file (CMS's .TXT quotes nothing).
std::vector<Record> TabRecords(std::string_view text) {
  std::vector<Record> records;
  int line = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view row = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    Record record{line, {}};
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = row.find('\t', start);
      record.fields.emplace_back(row.substr(start, tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    records.push_back(std::move(record));
  }
  return records;
}

// The records of a CSV file (RFC 4180: double-quoted fields may hold commas,
// line breaks and doubled quotes). Fails on an unterminated quoted field.
absl::StatusOr<std::vector<Record>> CsvRecords(std::string_view text, const FileErrors& errors) {
  std::vector<Record> records;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    Record record{line, {""}};
    bool end_of_record = false;
    while (!end_of_record) {
      std::string& field = record.fields.back();
      if (i < text.size() && text[i] == '"' && Trim(field).empty()) {
        field.clear();
        const int quote_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) return errors.At(quote_line, "", "a quoted field is not closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
      }
      // Up to the next separator (text after a closing quote is kept as is).
      while (i < text.size() && text[i] != ',' && text[i] != '\n') field += text[i++];
      if (i >= text.size()) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
        record.fields.emplace_back();
      } else {  // '\n'
        ++i;
        ++line;
        end_of_record = true;
      }
    }
    if (!record.fields.back().empty() && record.fields.back().back() == '\r') {
      record.fields.back().pop_back();
    }
    records.push_back(std::move(record));
  }
  return records;
}

// The first record of `records` at which the rows start: after the header
// record if there is one (as `is_header` tells), else at the first record
// whose first field is a code; records.size() when there is none.
template <typename IsHeader>
std::size_t FirstRow(const std::vector<Record>& records, IsHeader is_header, int* header_line) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (is_header(records[i])) {
      *header_line = records[i].line;
      return i + 1;
    }
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (IsEditCode(Trim(records[i].fields.front()))) return i;
  }
  return records.size();
}

// "20261001" as a day, or an error at `field`.
absl::StatusOr<Day> CmsDate(std::string_view text, const FileErrors& errors, int line,
                            const std::string& field) {
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), IsDigit)) {
    return errors.At(line, field, Quoted(text) + " is not YYYYMMDD");
  }
  const auto number = [&text](std::size_t at, std::size_t size) {
    int value = 0;
    for (char c : text.substr(at, size)) value = value * 10 + (c - '0');
    return value;
  };
  const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                         std::chrono::month(static_cast<unsigned>(number(4, 2))),
                                         std::chrono::day(static_cast<unsigned>(number(6, 2)))};
  if (!date.ok()) return errors.At(line, field, Quoted(text) + " is not a valid date");
  return Day(date);
}

std::string CmsDateText(const std::optional<Day>& day) {
  if (!day) return "*";
  std::string text = FormatDay(*day);
  text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
  return text;
}

// Extra fields past `used` must be empty (trailing separators are common).
absl::Status NoExtraFields(const Record& record, std::size_t used, const FileErrors& errors) {
  for (std::size_t i = used; i < record.fields.size(); ++i) {
    if (!Trim(record.fields[i]).empty()) {
      return errors.At(record.line, "", "more than " + std::to_string(used) + " fields");
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsEditCode(std::string_view text) {
  if (text.size() != 5) return false;
  const bool digits = std::all_of(text.begin(), text.end(), IsDigit);
  const bool hcpcs = IsUpper(text[0]) && std::all_of(text.begin() + 1, text.end(), IsDigit);
  const bool cpt_other = std::all_of(text.begin(), text.end() - 1, IsDigit) && IsUpper(text[4]);
  return digits || hcpcs || cpt_other;
}

absl::StatusOr<std::vector<PtpEdit>> ParsePtpTable(std::string_view text,
                                                   const std::string& source) {
  const FileErrors errors(source);
  const std::vector<Record> records = TabRecords(WithoutBom(text));
  int header_line = 0;
  const std::size_t first = FirstRow(
      records,
      [](const Record& record) {
        std::string first = Normalized(record.fields.front());
        first.erase(std::remove(first.begin(), first.end(), ' '), first.end());
        return first == "column1";
      },
      &header_line);

  struct Seen {
    std::size_t index;
    int line;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Seen>> by_pair;
  std::vector<PtpEdit> edits;
  for (std::size_t i = first; i < records.size(); ++i) {
    const Record& record = records[i];
    if (record.Blank()) continue;
    // The column header's continuation lines ("0=not allowed", "*=no data")
    // have an empty first field.
    if (edits.empty() && Trim(record.fields.front()).empty()) continue;
    const int line = record.line;
    if (record.fields.size() < 6) {
      return errors.At(line, "",
                       "has " + std::to_string(record.fields.size()) +
                           " tab-separated fields, not the 7 of a PTP edit");
    }
    if (auto status = NoExtraFields(record, 7, errors); !status.ok()) return status;
    const auto field = [&record](std::size_t index) {
      return index < record.fields.size() ? Trim(record.fields[index]) : std::string_view();
    };
    PtpEdit edit;
    for (auto [index, name, target] :
         {std::tuple{0, "column 1", &edit.column1}, std::tuple{1, "column 2", &edit.column2}}) {
      const std::string_view code = field(index);
      if (!IsEditCode(code)) {
        return errors.At(line, name, Quoted(code) + " is not a CPT or HCPCS code");
      }
      *target = std::string(code);
    }
    if (edit.column1 == edit.column2) {
      return errors.At(line, "column 2", Quoted(edit.column2) + " is the column 1 code too");
    }
    if (field(2) != "" && field(2) != "*") {
      return errors.At(line, "in existence prior to 1996",
                       Quoted(field(2)) + " must be \"*\" or empty");
    }
    auto effective = CmsDate(field(3), errors, line, "effective date");
    if (!effective.ok()) return effective.status();
    edit.effective = *effective;
    if (field(4) != "*") {
      auto deleted = CmsDate(field(4), errors, line, "deletion date");
      if (!deleted.ok()) return deleted.status();
      if (*deleted < edit.effective) {
        return errors.At(line, "deletion date",
                         Quoted(field(4)) + " is before the effective date " + Quoted(field(3)));
      }
      edit.deleted = *deleted;
    }
    const std::string_view indicator = field(5);
    if (indicator == "0") {
      edit.indicator = PtpModifierIndicator::kNotAllowed;
    } else if (indicator == "1") {
      edit.indicator = PtpModifierIndicator::kAllowed;
    } else if (indicator == "9") {
      edit.indicator = PtpModifierIndicator::kNotApplicable;
    } else {
      return errors.At(line, "modifier indicator", Quoted(indicator) + " must be 0, 1 or 9");
    }
    edit.rationale = std::string(field(6));

    // The same pair again must cover other dates (CMS lists an edit deleted
    // and re-added as two rows).
    std::vector<Seen>& seen = by_pair[{edit.column1, edit.column2}];
    for (const Seen& other_seen : seen) {
      const PtpEdit& other = edits[other_seen.index];
      const bool overlap = (!other.deleted || edit.effective < *other.deleted) &&
                           (!edit.deleted || other.effective < *edit.deleted) &&
                           (!edit.deleted || edit.effective < *edit.deleted) &&
                           (!other.deleted || other.effective < *other.deleted);
      if (overlap) {
        return errors.At(line, "column 1/column 2",
                         edit.column1 + "/" + edit.column2 + " in force " +
                             CmsDateText(edit.effective) + " to " + CmsDateText(edit.deleted) +
                             " overlaps the same pair on line " + std::to_string(other_seen.line) +
                             " (" + CmsDateText(other.effective) + " to " +
                             CmsDateText(other.deleted) + ")");
      }
    }
    seen.push_back({edits.size(), line});
    edits.push_back(std::move(edit));
  }
  if (edits.empty()) {
    return errors.File(header_line == 0 ? "holds no PTP edit rows and no \"Column 1\" header line"
                                        : "holds no PTP edit rows");
  }
  return edits;
}

absl::StatusOr<std::map<std::string, MueLimit, std::less<>>> ParseMueTable(
    std::string_view text, const std::string& source) {
  const FileErrors errors(source);
  std::vector<Record> records;
  {
    auto parsed = CsvRecords(WithoutBom(text), errors);
    if (!parsed.ok()) return parsed.status();
    records = *std::move(parsed);
  }
  int header_line = 0;
  const auto is_header = [](const Record& record) {
    std::string first = Normalized(record.fields.front());
    first.erase(std::remove(first.begin(), first.end(), ' '), first.end());
    return first == "hcpcs/cptcode";
  };
  const std::size_t first = FirstRow(records, is_header, &header_line);
  if (header_line != 0) {
    const Record& header = records[first - 1];
    const std::string values = header.fields.size() > 1 ? Normalized(header.fields[1]) : "";
    if (values != "practitioner services mue values") {
      return errors.At(header_line, "header",
                       Quoted(header.fields.size() > 1 ? Trim(header.fields[1]) : "") +
                           " is not \"Practitioner Services MUE Values\": not the "
                           "practitioner table");
    }
  }

  std::map<std::string, MueLimit, std::less<>> limits;
  std::map<std::string, int, std::less<>> lines;
  for (std::size_t i = first; i < records.size(); ++i) {
    const Record& record = records[i];
    if (record.Blank()) continue;
    const int line = record.line;
    if (record.fields.size() < 3) {
      return errors.At(line, "",
                       "has " + std::to_string(record.fields.size()) +
                           " comma-separated fields, not the 4 of an MUE");
    }
    if (auto status = NoExtraFields(record, 4, errors); !status.ok()) return status;
    MueLimit limit;
    const std::string_view code = Trim(record.fields[0]);
    if (!IsEditCode(code)) {
      return errors.At(line, "HCPCS/CPT code", Quoted(code) + " is not a CPT or HCPCS code");
    }
    limit.code = std::string(code);
    const std::string_view units = Trim(record.fields[1]);
    if (units.empty() || units.size() > 6 || !std::all_of(units.begin(), units.end(), IsDigit)) {
      return errors.At(line, "MUE value", Quoted(units) + " is not a non-negative whole number");
    }
    limit.units = 0;
    for (char c : units) limit.units = limit.units * 10 + (c - '0');
    const std::string_view indicator = Trim(record.fields[2]);
    if (indicator.empty() || (indicator[0] != '1' && indicator[0] != '2' && indicator[0] != '3') ||
        (indicator.size() > 1 && indicator[1] != ' ')) {
      return errors.At(line, "MUE adjudication indicator",
                       Quoted(indicator) + " must start with 1, 2 or 3");
    }
    limit.adjudication_indicator = std::string(indicator);
    if (record.fields.size() > 3) limit.rationale = std::string(Trim(record.fields[3]));
    if (const auto it = lines.find(limit.code); it != lines.end()) {
      return errors.At(
          line, "HCPCS/CPT code",
          Quoted(limit.code) + " appears twice (line " + std::to_string(it->second) + " too)");
    }
    lines.emplace(limit.code, line);
    std::string key = limit.code;
    limits.emplace(std::move(key), std::move(limit));
  }
  if (limits.empty()) return errors.File("holds no MUE rows");
  return limits;
}

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
    const bool pair =
        (edit.column1 == a && edit.column2 == b) || (edit.column1 == b && edit.column2 == a);
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
