#include "plugin/common/policy_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
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
constexpr const char* kPayersFolder = "payers";

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
  return set;
}

absl::StatusOr<core::exports::BillingConfig> LoadBillingConfig(const std::string& folder) {
  const fs::path path = fs::path(folder) / "billing.json";
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return core::exports::ParseBillingConfig(*text, path.string());
}

}  // namespace unitclock::common
