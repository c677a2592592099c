#pragma once
#include <map>
#include <string>
#include <vector>

// Machine types: what a host offers and what it costs.
namespace stacksim {

struct MachineType {
    std::string name;
    int vcpus = 1;
    double core_speed = 1.0;   // relative to the reference core (c6i / Ice Lake = 1.0)
    double ram_bytes = 0;
    double nic_bps = 0;        // sustained network bandwidth
    double price_per_h = 0;    // on-demand, USD
    std::string provider, family, source;
};

class MachineCatalog {
public:
    static MachineCatalog builtin();  // real cloud instance families; see docs/machine-catalog.md

    void add(MachineType m) { types_[m.name] = std::move(m); }
    [[nodiscard]] const MachineType* find(const std::string& name) const;
    [[nodiscard]] std::vector<std::string> names() const;
    [[nodiscard]] const std::map<std::string, MachineType>& all() const { return types_; }

    static constexpr const char* kPriceDate = "2026-11";

private:
    std::map<std::string, MachineType> types_;
};

}  // namespace stacksim
