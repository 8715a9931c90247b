// Writes sample exports for the external validators (tests/validators/run.sh):
//   export_samples OUT_DIR [BILLING_JSON]
// writes OUT_DIR/claims.csv, claims.x12 and claims.fhir.json for the sample
// claims (tests/core/export/samples.h plus one more), with the shipped
// core/policies/billing.json unless BILLING_JSON is given.
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/export/billing_config.h"
#include "core/export/csv.h"
#include "core/export/fhir_claim.h"
#include "core/export/x12_837p.h"
#include "tests/core/export/samples.h"

namespace {

using namespace unitclock::core::exports;

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << "export_samples: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: export_samples OUT_DIR [BILLING_JSON]\n";
    return 2;
  }
  const std::string out_dir = argv[1];
  const std::string config_path =
      argc == 3 ? argv[2] : std::string(UNITCLOCK_POLICY_DIR) + "/billing.json";
  std::ifstream in(config_path);
  std::stringstream text;
  text << in.rdbuf();
  const auto config = ParseBillingConfig(text.str(), config_path);
  if (!config.ok()) {
    std::cerr << "export_samples: " << config.status().message() << "\n";
    return 1;
  }

  std::vector<Claim> claims = testing::SampleClaims();
  // A third payer, a second day for patient p-1, and CSV fields to quote.
  claims.push_back({.suggestion_id = "s-3",
                    .review_id = "r-3",
                    .platform = "clinic, north",
                    .patient_ref = "p-1",
                    .provider_ref = "t \"9\"",
                    .payer_id = "acme-health",
                    .date_of_service = testing::DayOf("2026-03-03"),
                    .lines = {{.code = "97112",
                               .modifiers = {"GO", "GT"},
                               .units = 1,
                               .minutes = 15,
                               .place_of_service = "02"},
                              {.code = "97535",
                               .modifiers = {"GO", "GT", "59"},
                               .units = 2,
                               .minutes = 30,
                               .place_of_service = "02"}}});
  const absl::Status exportable = CheckExportable(claims, *config);
  if (!exportable.ok()) {
    std::cerr << "export_samples: " << exportable.message() << "\n";
    return 1;
  }
  const X12Envelope envelope = {.interchange_control_number = 1001,
                                .group_control_number = 1001,
                                .created_at = testing::SampleTime()};
  const bool ok = WriteFile(out_dir + "/claims.csv", WriteCsv(claims)) &&
                  WriteFile(out_dir + "/claims.x12", WriteX12_837P(claims, *config, envelope)) &&
                  WriteFile(out_dir + "/claims.fhir.json",
                            WriteFhirBundle(claims, *config, testing::SampleTime()));
  return ok ? 0 : 1;
}
