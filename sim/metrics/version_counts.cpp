// Requests per deployed version: totals after the warm-up, whole-run counts for the canary
// analysis, and per-interval rates and traffic shares (series.versions).
#include "sim/metrics/recorder.hpp"

#include <simgrid/s4u/Engine.hpp>

namespace stacksim::sim {

std::size_t Recorder::add_version(const std::string& service, const std::string& version) {
    for (std::size_t i = 0; i < versions_.size(); ++i)
        if (versions_[i].service == service && versions_[i].version == version) return i;
    versions_.push_back({service, version, 0, 0, 0, 0, 0, 0, std::vector<double>(t_.size(), 0.0), std::vector<double>(t_.size(), 0.0)});
    return versions_.size() - 1;
}

void Recorder::version_outcome(std::size_t id, bool ok) {
    VersionCounts& v = versions_[id];
    ++v.all_requests;
    ++v.interval_requests;
    v.all_errors += !ok;
    v.interval_errors += !ok;
    if (simgrid::s4u::Engine::get_clock() < warmup_s_) return;
    ++v.requests;
    v.errors += !ok;
}

void Recorder::close_version_interval() {
    for (VersionCounts& v : versions_) {
        v.requests_s.push_back(static_cast<double>(v.interval_requests) / interval_s_);
        v.errors_s.push_back(static_cast<double>(v.interval_errors) / interval_s_);
        v.interval_requests = v.interval_errors = 0;
    }
}

nlohmann::json Recorder::versions_json() const {
    nlohmann::json out = nlohmann::json::array();
    for (const VersionCounts& v : versions_)
        out.push_back({{"service", v.service}, {"version", v.version}, {"requests", v.requests}, {"errors", v.errors},
                       {"error_rate", v.requests ? static_cast<double>(v.errors) / static_cast<double>(v.requests) : 0.0}});
    return out;
}

// {"api": {"v1": {"requests_rps": [...], "errors_rps": [...], "share": [...]}, "v2": {...}}}:
// share = the version's requests / all versions' requests of the service in the interval.
nlohmann::json Recorder::version_series() const {
    nlohmann::json out = nlohmann::json::object();
    for (const VersionCounts& v : versions_) {
        std::vector<double> share(v.requests_s.size(), 0.0);
        for (std::size_t i = 0; i < share.size(); ++i) {
            double total = 0;
            for (const VersionCounts& o : versions_)
                if (o.service == v.service) total += o.requests_s[i];
            share[i] = total > 0 ? v.requests_s[i] / total : 0.0;
        }
        out[v.service][v.version] = {{"requests_rps", v.requests_s}, {"errors_rps", v.errors_s}, {"share", share}};
    }
    return out;
}

}  // namespace stacksim::sim
