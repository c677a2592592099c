#include <cmath>

#include "model/analytic/stack_model.hpp"

namespace stacksim::analytic {
namespace {
// JSON has no infinity: unbounded values (an overloaded station) are written as null.
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json to_json(const AnalyticReport& r) {
    using nlohmann::json;
    json out{{"experiment", r.experiment},
             {"workload_model", r.workload_model},
             {"stable", r.stable},
             {"offered_rate_rps", num(r.offered_rate)},
             {"throughput_rps", num(r.throughput)},
             {"saturation_rate_rps", num(r.saturation_rate)},
             {"bottleneck", r.bottleneck},
             {"availability", num(r.availability)},
             {"latency_s", {{"mean", num(r.mean_response_s)}, {"p95", num(r.p95_s)}, {"p99", num(r.p99_s)}}},
             {"cost", {{"per_hour_usd", num(r.cost_per_h)}, {"per_month_usd", num(r.cost_per_month)},
                       {"per_million_requests_usd", num(r.cost_per_million)}}},
             {"notes", r.notes}};
    if (r.closed_users > 0)
        out["closed"] = {{"users", r.closed_users}, {"think_time_s", r.closed_think_s}, {"mva_method", r.closed_mva_method}};
    json stations = json::array();
    for (const auto& s : r.stations)
        stations.push_back({{"service", s.service},
                            {"role", s.role},
                            {"kind", s.kind},
                            {"servers", s.servers},
                            {"formula", s.formula},
                            {"arrival_rate_rps", num(s.arrival_rate)},
                            {"mean_service_s", num(s.mean_service_s)},
                            {"service_scv", num(s.service_scv)},
                            {"utilisation", num(s.utilisation)},
                            {"mean_wait_s", num(s.mean_wait_s)},
                            {"mean_response_s", num(s.mean_response_s)},
                            {"p99_response_s", num(s.p99_response_s)},
                            {"p_block", num(s.p_block)},
                            {"stable", s.stable},
                            {"bottleneck", s.bottleneck}});
    out["stations"] = stations;
    json endpoints = json::array();
    for (const auto& e : r.endpoints)
        endpoints.push_back({{"endpoint", e.endpoint},
                             {"share", num(e.share)},
                             {"rate_rps", num(e.rate)},
                             {"mean_s", num(e.mean_s)},
                             {"sd_s", num(e.sd_s)},
                             {"p50_s", num(e.p50_s)},
                             {"p95_s", num(e.p95_s)},
                             {"p99_s", num(e.p99_s)},
                             {"error_probability", num(e.error_probability)}});
    out["endpoints"] = endpoints;
    json caches = json::array();
    for (const auto& c : r.caches)
        caches.push_back({{"cache", c.cache},
                          {"used_by", c.used_by},
                          {"key_space", c.key_space},
                          {"zipf", c.zipf},
                          {"ttl_s", num(c.ttl_s)},
                          {"request_rate_rps", num(c.request_rate)},
                          {"hit_ratio", num(c.hit_ratio)}});
    out["caches"] = caches;
    return out;
}

}  // namespace stacksim::analytic
