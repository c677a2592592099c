#include "model/sweep/plan.hpp"

#include <fmt/format.h>

#include <fstream>

namespace stacksim::sweep {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL, kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(const std::string& s, std::uint64_t h = kFnvOffset) {
    for (unsigned char c : s) h = (h ^ c) * kFnvPrime;
    return h;
}

std::vector<std::string> split_values(const std::string& text, std::string& error) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '\\' && i + 1 < text.size()) cur += text[i++];
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        } else if (c == ',' && depth == 0) {
            out.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    out.push_back(cur);
    for (const auto& v : out)
        if (v.empty()) error = "empty value";
    if (quoted || depth != 0) error = "unbalanced quotes or brackets";
    return out;
}

}  // namespace

std::optional<Param> parse_param(const std::string& text, std::string& error) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
        error = "expected PATH=v1,v2,... such as topology.services.api.replicas=4,8,12, got \"" + text + "\"";
        return std::nullopt;
    }
    Param p{text.substr(0, eq), {}};
    std::string bad;
    p.values = split_values(text.substr(eq + 1), bad);
    if (!bad.empty()) {
        error = "\"" + text + "\": " + bad + " (values are separated by commas: PATH=v1,v2,...)";
        return std::nullopt;
    }
    return p;
}

std::string point_id(std::size_t index, const std::vector<std::string>& overrides) {
    std::uint64_t h = kFnvOffset;
    for (const auto& o : overrides) h = fnv1a(o + '\n', h);
    return fmt::format("p{:03}-{:06x}", index, (h ^ (h >> 24) ^ (h >> 48)) & 0xffffff);
}

std::vector<PlannedPoint> preset_points(const SweepSpec& spec, const Topology& topology, bool horizontal,
                                        bool vertical) {
    std::vector<PlannedPoint> out;
    auto config = [&](const std::string& service, const std::string& machine, int replicas) {
        const std::string at = "topology.services." + service + ".";
        std::vector<std::string> o{at + "machine=" + machine, at + "replicas=" + std::to_string(replicas)};
        const Service* s = topology.find(service);
        const MachineType* m = topology.machines.find(machine);
        if (s && s->kind == ServiceKind::node_service && m) o.push_back(at + "workers=" + std::to_string(m->vcpus));
        return o;
    };
    std::vector<std::string> rates;  // the overrides setting each load ("" = the experiment's rate)
    for (const auto& l : spec.loads) rates.push_back("workload.rate=" + l.text);
    if (rates.empty()) rates.emplace_back();
    for (const std::string& rate : rates) {
        auto add = [&](const char* strategy, std::vector<std::string> cfg) {
            PlannedPoint p;
            p.strategy = strategy;
            if (!rate.empty()) p.overrides.push_back(rate);
            for (auto& c : cfg) p.overrides.push_back(std::move(c));
            out.push_back(std::move(p));
        };
        if (horizontal && spec.horizontal)
            for (int n : spec.horizontal->replicas) add("horizontal", config(spec.horizontal->service, spec.horizontal->machine, n));
        if (vertical && spec.vertical)
            for (const auto& m : spec.vertical->machines) add("vertical", config(spec.vertical->service, m, spec.vertical->replicas));
    }
    return out;
}

std::vector<PlannedPoint> plan(const std::vector<std::string>& base, const std::vector<PlannedPoint>& presets,
                               const std::vector<Param>& params) {
    std::vector<PlannedPoint> seeds = presets;
    if (seeds.empty()) seeds.push_back({0, "", "grid", {}});
    std::vector<PlannedPoint> out;
    for (const auto& s : seeds) {
        std::vector<std::size_t> idx(params.size(), 0);
        while (true) {
            PlannedPoint p;
            p.strategy = s.strategy;
            p.overrides = base;
            for (const auto& o : s.overrides) p.overrides.push_back(o);
            for (std::size_t i = 0; i < params.size(); ++i) p.overrides.push_back(params[i].path + "=" + params[i].values[idx[i]]);
            p.index = out.size();
            p.id = point_id(p.index, p.overrides);
            out.push_back(std::move(p));
            std::size_t k = params.size();
            while (k > 0 && ++idx[k - 1] == params[k - 1].values.size()) idx[--k] = 0;
            if (k == 0) break;
        }
    }
    return out;
}

std::uint64_t fnv1a_file(const std::string& path, std::uint64_t h) {
    std::ifstream in(path, std::ios::binary);
    char c;
    while (in.get(c)) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
    return h;
}

std::string inputs_hash(const std::string& experiment_file, const std::string& topology_file) {
    return fmt::format("{:016x}", fnv1a_file(topology_file, fnv1a_file(experiment_file)));
}

}  // namespace stacksim::sweep
