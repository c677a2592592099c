#include "model/cost/machine.hpp"

// On-demand Linux list prices. AWS: us-east-1 (aws.amazon.com/ec2/pricing/on-demand),
// GCP: us-central1 (cloud.google.com/compute/vm-instance-pricing), Azure: East US
// (azure.microsoft.com/pricing/details/virtual-machines/linux). Bandwidth is the sustained
// ("baseline") figure where the vendor publishes "up to"; core_speed is stacksim's estimate
// of single-vCPU throughput for a Node.js workload relative to c6i — override it in a topology
// when you have your own measurements.
namespace stacksim {
namespace {
constexpr double GiB = 1073741824.0;
constexpr double Gbps = 1e9;

struct Row {
    const char* name;
    int vcpus;
    double speed, ram_gib, nic_gbps, price;
    const char* provider;
    const char* family;
};

constexpr Row kRows[] = {
    // AWS compute optimised, Intel Ice Lake
    {"c6i.large", 2, 1.00, 4, 0.781, 0.085, "aws", "c6i"},
    {"c6i.xlarge", 4, 1.00, 8, 1.562, 0.170, "aws", "c6i"},
    {"c6i.2xlarge", 8, 1.00, 16, 3.125, 0.340, "aws", "c6i"},
    {"c6i.4xlarge", 16, 1.00, 32, 6.25, 0.680, "aws", "c6i"},
    {"c6i.8xlarge", 32, 1.00, 64, 12.5, 1.360, "aws", "c6i"},
    {"c6i.16xlarge", 64, 1.00, 128, 25, 2.720, "aws", "c6i"},
    // AWS general purpose, Intel Ice Lake
    {"m6i.large", 2, 1.00, 8, 0.781, 0.096, "aws", "m6i"},
    {"m6i.xlarge", 4, 1.00, 16, 1.562, 0.192, "aws", "m6i"},
    {"m6i.2xlarge", 8, 1.00, 32, 3.125, 0.384, "aws", "m6i"},
    {"m6i.4xlarge", 16, 1.00, 64, 6.25, 0.768, "aws", "m6i"},
    {"m6i.8xlarge", 32, 1.00, 128, 12.5, 1.536, "aws", "m6i"},
    // AWS memory optimised (caches, databases)
    {"r6i.large", 2, 1.00, 16, 0.781, 0.126, "aws", "r6i"},
    {"r6i.xlarge", 4, 1.00, 32, 1.562, 0.252, "aws", "r6i"},
    {"r6i.2xlarge", 8, 1.00, 64, 3.125, 0.504, "aws", "r6i"},
    {"r6i.4xlarge", 16, 1.00, 128, 6.25, 1.008, "aws", "r6i"},
    {"r6i.8xlarge", 32, 1.00, 256, 12.5, 2.016, "aws", "r6i"},
    // AWS Graviton3
    {"c7g.large", 2, 0.95, 4, 0.937, 0.0725, "aws", "c7g"},
    {"c7g.xlarge", 4, 0.95, 8, 1.876, 0.145, "aws", "c7g"},
    {"c7g.2xlarge", 8, 0.95, 16, 3.75, 0.290, "aws", "c7g"},
    {"c7g.4xlarge", 16, 0.95, 32, 7.5, 0.580, "aws", "c7g"},
    // AWS burstable (speed is the baseline-less peak; CPU credits are not modelled)
    {"t3.medium", 2, 0.85, 4, 0.256, 0.0416, "aws", "t3"},
    {"t3.large", 2, 0.85, 8, 0.512, 0.0832, "aws", "t3"},
    // GCP general purpose
    {"n2-standard-2", 2, 0.95, 8, 10, 0.097118, "gcp", "n2"},
    {"n2-standard-4", 4, 0.95, 16, 10, 0.194236, "gcp", "n2"},
    {"n2-standard-8", 8, 0.95, 32, 16, 0.388472, "gcp", "n2"},
    {"n2-standard-16", 16, 0.95, 64, 32, 0.776944, "gcp", "n2"},
    // Azure general purpose
    {"Standard_D2s_v5", 2, 1.00, 8, 12.5, 0.096, "azure", "Dsv5"},
    {"Standard_D4s_v5", 4, 1.00, 16, 12.5, 0.192, "azure", "Dsv5"},
    {"Standard_D8s_v5", 8, 1.00, 32, 12.5, 0.384, "azure", "Dsv5"},
    {"Standard_D16s_v5", 16, 1.00, 64, 12.5, 0.768, "azure", "Dsv5"},
};
}  // namespace

MachineCatalog MachineCatalog::builtin() {
    MachineCatalog c;
    for (const Row& r : kRows) {
        c.add(MachineType{r.name, r.vcpus, r.speed, r.ram_gib * GiB, r.nic_gbps * Gbps, r.price, r.provider, r.family,
                          std::string("built-in catalog (") + kPriceDate + ")"});
    }
    return c;
}

const MachineType* MachineCatalog::find(const std::string& name) const {
    auto it = types_.find(name);
    return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> MachineCatalog::names() const {
    std::vector<std::string> out;
    out.reserve(types_.size());
    for (const auto& [n, _] : types_) out.push_back(n);
    return out;
}

}  // namespace stacksim
