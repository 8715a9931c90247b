#include "plugin/common/policy_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/export/billing_config.h"
#include "core/timeline_policy.h"

namespace unitclock::common {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCodesFile = "codes.json";
constexpr const char* kMonitoringFile = "monitoring.json";
constexpr const char* kPayersFolder = "payers";
constexpr const char* kNcciFolder = "ncci";
constexpr const char* kQuarterFile = "quarter.json";

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError("cannot read \"" + path.string() + "\"");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError("cannot read \"" + path.string() + "\"");
  return text.str();
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string PtpText(const core::PtpEdit& edit) {
  return edit.column1 + "/" + edit.column2 + " effective " + core::FormatDay(edit.effective);
}

// One quarter folder: quarter.json, the PTP parts and the MUE table.
absl::StatusOr<core::EditQuarter> LoadQuarter(const fs::path& quarter_folder) {
  core::EditQuarter quarter;
  quarter.name = quarter_folder.filename().string();
  const fs::path quarter_path = quarter_folder / kQuarterFile;
  auto quarter_text = ReadFile(quarter_path);
  if (!quarter_text.ok()) return quarter_text.status();
  auto window = core::ParseEditQuarterFile(*quarter_text, quarter_path.string());
  if (!window.ok()) return window.status();
  quarter.window = *std::move(window);

  std::error_code ec;
  std::vector<fs::path> ptp_files;
  std::vector<fs::path> mue_files;
  for (const fs::directory_entry& entry : fs::directory_iterator(quarter_folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = Lower(entry.path().filename().string());
    const std::string extension = Lower(entry.path().extension().string());
    if (extension == ".txt" && name.rfind("ccipra", 0) == 0) ptp_files.push_back(entry.path());
    if (extension == ".csv" && name.find("practitioner") != std::string::npos) {
      mue_files.push_back(entry.path());
    }
  }
  if (ec) return absl::NotFoundError("cannot read \"" + quarter_folder.string() + "\"");
  if (ptp_files.empty()) {
    return absl::NotFoundError("\"" + quarter_folder.string() +
                               "\" holds no practitioner PTP file (ccipra*.txt)");
  }
  if (mue_files.size() != 1) {
    return absl::NotFoundError("\"" + quarter_folder.string() +
                               "\" must hold one practitioner MUE file " +
                               "(*practitioner*.csv), not " + std::to_string(mue_files.size()));
  }
  std::sort(ptp_files.begin(), ptp_files.end());

  // The parts cover distinct column 1 codes; a pair in two parts is a mix-up.
  std::map<std::pair<std::string, std::string>, std::string> part_of;
  for (const fs::path& path : ptp_files) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    auto edits = core::ParsePtpTable(*text, path.string());
    if (!edits.ok()) return edits.status();
    std::map<std::pair<std::string, std::string>, std::string> in_this_part;
    for (core::PtpEdit& edit : *edits) {
      const std::pair<std::string, std::string> pair{edit.column1, edit.column2};
      if (const auto it = part_of.find(pair); it != part_of.end()) {
        return absl::InvalidArgumentError(path.string() + ": " + PtpText(edit) +
                                          ": the pair is in \"" + it->second + "\" too");
      }
      in_this_part.emplace(pair, path.string());
      quarter.ptp.push_back(std::move(edit));
    }
    part_of.merge(in_this_part);
  }

  auto mue_text = ReadFile(mue_files.front());
  if (!mue_text.ok()) return mue_text.status();
  auto mue = core::ParseMueTable(*mue_text, mue_files.front().string());
  if (!mue.ok()) return mue.status();
  quarter.mue = *std::move(mue);
  return quarter;
}

// Every quarter under `ncci_folder`; none when the folder does not exist.
absl::StatusOr<core::EditTables> LoadEditTables(const fs::path& ncci_folder) {
  std::error_code ec;
  if (!fs::exists(ncci_folder, ec)) return core::EditTables();
  if (!fs::is_directory(ncci_folder, ec)) {
    return absl::NotFoundError("\"" + ncci_folder.string() + "\" is not a folder");
  }
  std::vector<fs::path> folders;
  for (const fs::directory_entry& entry : fs::directory_iterator(ncci_folder, ec)) {
    if (entry.is_directory(ec) && entry.path().filename().string().rfind('.', 0) != 0) {
      folders.push_back(entry.path());
    }
  }
  if (ec) return absl::NotFoundError("cannot read \"" + ncci_folder.string() + "\"");
  std::sort(folders.begin(), folders.end());

  std::vector<core::EditQuarter> quarters;
  std::vector<fs::path> quarter_folders;
  for (const fs::path& folder : folders) {
    auto quarter = LoadQuarter(folder);
    if (!quarter.ok()) return quarter.status();
    for (std::size_t i = 0; i < quarters.size(); ++i) {
      const core::DateWindow& a = quarters[i].window;
      const core::DateWindow& b = quarter->window;
      if (a.from <= *b.to && b.from <= *a.to) {
        return absl::InvalidArgumentError(
            "NCCI quarters overlap: \"" + quarter_folders[i].string() + "\" (" +
            core::FormatDay(a.from) + " to " + core::FormatDay(*a.to) + ") and \"" +
            folder.string() + "\" (" + core::FormatDay(b.from) + " to " + core::FormatDay(*b.to) +
            ")");
      }
    }
    quarters.push_back(*std::move(quarter));
    quarter_folders.push_back(folder);
  }
  return core::EditTables(std::move(quarters));
}

}  // namespace

absl::StatusOr<core::PolicySet> LoadPolicyFolder(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return absl::NotFoundError("\"" + folder + "\" is not a folder");
  }
  core::PolicySet set;

  const fs::path timeline_path = fs::path(folder) / core::kTimelinePolicyFile;
  auto timeline_text = ReadFile(timeline_path);
  if (!timeline_text.ok()) return timeline_text.status();
  auto timeline = core::ParseTimelinePolicy(*timeline_text, timeline_path.string());
  if (!timeline.ok()) return timeline.status();
  set.timeline = *std::move(timeline);

  const fs::path codes_path = fs::path(folder) / kCodesFile;
  auto codes_text = ReadFile(codes_path);
  if (!codes_text.ok()) return codes_text.status();
  auto catalogue = core::ParseCodeCatalogue(*codes_text, codes_path.string());
  if (!catalogue.ok()) return catalogue.status();
  set.catalogue = *std::move(catalogue);

  // Remote therapeutic monitoring; its codes must be in the catalogue, so
  // that a reviewer may amend a monitoring line.
  const fs::path monitoring_path = fs::path(folder) / kMonitoringFile;
  auto monitoring_text = ReadFile(monitoring_path);
  if (!monitoring_text.ok()) return monitoring_text.status();
  auto monitoring = core::ParseMonitoringRules(*monitoring_text, monitoring_path.string());
  if (!monitoring.ok()) return monitoring.status();
  if (absl::Status status =
          core::CheckMonitoringCatalogue(*monitoring, set.catalogue, monitoring_path.string());
      !status.ok()) {
    return status;
  }
  set.monitoring = *std::move(monitoring);

  // Adding a payer is adding a file: every payers/*.json is one payer.
  const fs::path payers_folder = fs::path(folder) / kPayersFolder;
  std::vector<fs::path> payer_files;
  if (fs::is_directory(payers_folder, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(payers_folder, ec)) {
      if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) {
        payer_files.push_back(entry.path());
      }
    }
    if (ec) return absl::NotFoundError("cannot read \"" + payers_folder.string() + "\"");
  }
  if (payer_files.empty()) {
    return absl::NotFoundError("no payer policies: \"" + payers_folder.string() +
                               "\" holds no .json file");
  }
  std::sort(payer_files.begin(), payer_files.end());
  for (const fs::path& path : payer_files) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    auto payer = core::ParsePayerPolicy(*text, path.string());
    if (!payer.ok()) return payer.status();
    std::string payer_id = payer->payer_id;
    set.payers.emplace(std::move(payer_id), *std::move(payer));
  }

  // CMS's NCCI tables. None is allowed even when a payer says "ncci_edits":
  // "cms": the coding engine warns on each day no quarter covers.
  auto edits = LoadEditTables(fs::path(folder) / kNcciFolder);
  if (!edits.ok()) return edits.status();
  set.edits = *std::move(edits);
  return set;
}

absl::StatusOr<core::exports::BillingConfig> LoadBillingConfig(const std::string& folder) {
  const fs::path path = fs::path(folder) / "billing.json";
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return core::exports::ParseBillingConfig(*text, path.string());
}

}  // namespace unitclock::common
