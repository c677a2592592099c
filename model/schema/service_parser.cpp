#include <algorithm>
#include <functional>

#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

constexpr long long kMaxReplicas = 10000;
constexpr long long kMaxWorkers = 1024;

std::map<std::string, Endpoint> parse_endpoints(ObjectReader& r, Context& ctx) {
    std::map<std::string, Endpoint> out;
    const json* eps = r.child("endpoints", Need::required);
    if (!eps) return out;
    ObjectReader er(*eps, r.at("endpoints"), ctx, "an object of endpoints such as {\"GET /items\": {\"steps\": [...]}}");
    if (!er.valid()) return out;
    if (er.named_entries() == 0) er.error("", "a node_service needs at least one endpoint");
    if (!er.valid()) return out;
    for (const auto& [name, body] : eps->items()) {
        if (is_annotation(name) || name.empty()) continue;
        er.has(name);
        ObjectReader ep(body, er.at(name), ctx, "an endpoint object such as {\"steps\": [{\"cpu\": \"2ms\"}]}");
        if (!ep.valid()) continue;
        Endpoint e{name, {}};
        if (const json* steps = ep.child("steps", Need::required)) e.steps = parse_steps(*steps, ep.at("steps"), ctx);
        ep.finish();
        out.emplace(name, std::move(e));
    }
    return out;
}

// A call step without a policy of its own takes its service's policy for that dependency.
void apply_service_policies(Service& s) {
    std::function<void(Steps&)> walk = [&](Steps& steps) {
        for (Step& st : steps) {
            if (auto* c = std::get_if<CallStep>(&st.body)) {
                if (c->policy || c->async) continue;
                if (auto it = s.resilience.find(c->service); it != s.resilience.end()) c->policy = it->second;
            } else if (auto* d = std::get_if<DbStep>(&st.body)) {
                if (d->policy) continue;
                if (auto it = s.resilience.find(d->database); it != s.resilience.end()) d->policy = it->second;
            } else if (auto* cs = std::get_if<CacheStep>(&st.body)) {
                walk(cs->on_miss);
            } else if (auto* b = std::get_if<BranchStep>(&st.body)) {
                for (Branch& br : b->branches) walk(br.steps);
            }
        }
    };
    for (auto& [_, ep] : s.endpoints) walk(ep.steps);
}

std::optional<ScalingRules> parse_rules(ObjectReader& r, const std::string& key, ScalingRules rules) {
    const json* node = r.child(key);
    if (!node) return rules;
    ObjectReader rr(*node, r.at(key), r.context(),
                    "an object {\"stabilization_window\": ..., \"policies\": [...], \"select\": \"max\"}");
    if (!rr.valid()) return std::nullopt;
    if (auto w = rr.duration("stabilization_window", Need::optional, 3600)) rules.stabilization_window_s = *w;
    if (auto sel = rr.one_of("select", {"max", "min", "disabled"}))
        rules.select = *sel == "max" ? ScalingRules::Select::max : *sel == "min" ? ScalingRules::Select::min : ScalingRules::Select::disabled;
    if (const json* ps = rr.child("policies")) {
        rules.policies.clear();
        if (!ps->is_array() || ps->empty()) {
            rr.error("policies", "expected a non-empty array of {\"type\": \"pods\"|\"percent\", \"value\": ..., \"period\": ...}");
        } else {
            for (std::size_t i = 0; i < ps->size(); ++i) {
                ObjectReader pr((*ps)[i], pointer_join(rr.at("policies"), i), r.context(), "a scaling policy object");
                if (!pr.valid()) continue;
                ScalingPolicy p;
                if (auto t = pr.one_of("type", {"pods", "percent"}, Need::required))
                    p.type = *t == "pods" ? ScalingPolicy::Type::pods : ScalingPolicy::Type::percent;
                if (auto v = pr.number("value", 1, 100000, Need::required)) p.value = *v;
                if (auto per = pr.duration("period", Need::required, 1800)) {
                    if (*per <= 0) pr.error("period", "a policy period must be positive");
                    p.period_s = *per;
                }
                pr.finish();
                rules.policies.push_back(p);
            }
        }
    }
    rr.finish();
    return rules;
}

std::optional<AutoscalingSpec> parse_autoscaling(ObjectReader& r, int replicas) {
    const json* node = r.child("autoscaling");
    if (!node) return std::nullopt;
    ObjectReader ar(*node, r.at("autoscaling"), r.context(),
                    "an object {\"min\": ..., \"max\": ..., \"target_utilisation\": \"60%\", ...}");
    if (!ar.valid()) return std::nullopt;
    AutoscalingSpec a;
    if (auto n = ar.integer("min", 1, kMaxReplicas, Need::required)) a.min_replicas = static_cast<int>(*n);
    if (auto n = ar.integer("max", 1, kMaxReplicas, Need::required)) a.max_replicas = static_cast<int>(*n);
    if (a.max_replicas < a.min_replicas) ar.error("max", "expected max >= min");
    if (replicas > a.max_replicas) ar.warn("max", "the service starts with more replicas than max: the autoscaler scales it down");
    if (auto t = ar.fraction("target_utilisation", Need::required)) {
        if (*t <= 0) ar.error("target_utilisation", "expected a utilisation above 0");
        a.target_utilisation = *t;
    }
    if (auto d = ar.duration("sync_period", Need::optional, 3600)) {
        if (*d < 0.1) ar.error("sync_period", "expected at least 100ms");
        a.sync_period_s = std::max(*d, 0.1);
    }
    if (auto t = ar.fraction("tolerance")) a.tolerance = *t;
    if (auto d = ar.duration("startup", Need::optional, 3600)) a.startup_s = *d;
    if (auto d = ar.duration("drain_timeout", Need::optional, 3600)) a.drain_timeout_s = *d;
    auto up = parse_rules(ar, "scale_up", a.scale_up);
    auto down = parse_rules(ar, "scale_down", a.scale_down);
    if (up) a.scale_up = *up;
    if (down) a.scale_down = *down;
    ar.finish();
    return a;
}

std::optional<HealthCheckSpec> parse_health_check(ObjectReader& r) {
    const json* node = r.child("health_check");
    if (!node) return std::nullopt;
    ObjectReader hr(*node, r.at("health_check"), r.context(),
                    "an object {\"interval\": \"5s\", \"timeout\": \"1s\", \"unhealthy_threshold\": 3, \"healthy_threshold\": 2}");
    if (!hr.valid()) return std::nullopt;
    HealthCheckSpec h;
    if (auto d = hr.duration("interval", Need::optional, 3600)) {
        if (*d < 0.01) hr.error("interval", "expected at least 10ms");
        h.interval_s = std::max(*d, 0.01);
    }
    if (auto d = hr.duration("timeout", Need::optional, 3600)) {
        if (*d <= 0) hr.error("timeout", "expected a positive timeout");
        h.timeout_s = *d;
    }
    if (auto n = hr.integer("unhealthy_threshold", 1, 1000)) h.unhealthy_threshold = static_cast<int>(*n);
    if (auto n = hr.integer("healthy_threshold", 1, 1000)) h.healthy_threshold = static_cast<int>(*n);
    if (auto c = hr.distribution("probe_cpu")) h.probe_cpu = *c;
    hr.finish();
    return h;
}

std::optional<OutlierDetectionSpec> parse_outlier_detection(ObjectReader& r) {
    const json* node = r.child("outlier_detection");
    if (!node) return std::nullopt;
    ObjectReader orr(*node, r.at("outlier_detection"), r.context(),
                     "an object {\"consecutive_errors\": 5, \"base_ejection_time\": \"30s\", \"max_ejection_percent\": \"10%\"}");
    if (!orr.valid()) return std::nullopt;
    OutlierDetectionSpec o;
    if (auto n = orr.integer("consecutive_errors", 1, 1000000)) o.consecutive_errors = static_cast<int>(*n);
    if (auto d = orr.duration("base_ejection_time", Need::optional, 86400)) o.base_ejection_time_s = *d;
    if (auto d = orr.duration("max_ejection_time", Need::optional, 86400)) o.max_ejection_time_s = *d;
    if (auto f = orr.fraction("max_ejection_percent")) o.max_ejection_fraction = *f;
    orr.finish();
    return o;
}

std::optional<SlowStartSpec> parse_slow_start(ObjectReader& r) {
    const json* node = r.child("slow_start");
    if (!node) return std::nullopt;
    ObjectReader sr(*node, r.at("slow_start"), r.context(), "an object {\"window\": \"30s\", \"aggression\": 1, \"min_weight\": \"10%\"}");
    if (!sr.valid()) return std::nullopt;
    SlowStartSpec s;
    if (auto d = sr.duration("window", Need::required, 3600)) {
        if (*d <= 0) sr.error("window", "expected a positive window");
        s.window_s = std::max(*d, 1e-3);
    }
    if (auto a = sr.number("aggression", 0.01, 100)) s.aggression = *a;
    if (auto m = sr.fraction("min_weight")) {
        if (*m <= 0) sr.error("min_weight", "expected a weight above 0% (a backend at weight 0 would never warm up)");
        s.min_weight = std::max(*m, 1e-6);
    }
    sr.finish();
    return s;
}

}  // namespace

std::optional<Service> parse_service(const std::string& name, const json& node, const std::string& pointer,
                                     Context& ctx, const MachineCatalog& machines,
                                     const std::vector<std::string>& zones) {
    ObjectReader r(node, pointer, ctx, "a service object with a \"kind\"");
    if (!r.valid()) return std::nullopt;
    Service s;
    s.name = name;
    s.pointer = pointer;
    const auto kind = r.one_of("kind", {"node_service", "load_balancer", "cache", "database", "queue", "external"},
                               Need::required);
    r.string("description");
    if (!kind) {
        r.finish();
        return std::nullopt;
    }
    const bool is_db = *kind == "database", is_external = *kind == "external";
    if (!is_db)
        if (auto n = r.integer("replicas", 1, kMaxReplicas)) s.replicas = static_cast<int>(*n);
    // An external dependency (a payment API) is not priced or placed; everything else is.
    if (auto m = r.name("machine", is_external ? Need::optional : Need::required)) {
        if (!machines.find(*m))
            r.error("machine", "unknown machine type \"" + *m + "\"" + suggestion(*m, machines.names()) +
                                   "; see `stacksim machines` or add it under /machines");
        else
            s.machine = *m;
    }
    if (const json* zs = r.child("zones")) {
        if (!zs->is_array() || zs->empty()) r.error("zones", "expected a non-empty array of zone names");
        else
            for (std::size_t i = 0; i < zs->size(); ++i) {
                const auto& z = (*zs)[i];
                if (!z.is_string() || std::find(zones.begin(), zones.end(), z.get<std::string>()) == zones.end())
                    ctx.diag.error(ctx.file, pointer_join(r.at("zones"), i),
                                   "unknown zone " + describe(z) +
                                       (z.is_string() ? suggestion(z.get<std::string>(), zones) : "") +
                                       "; zones are declared in /zones");
                else
                    s.zones.push_back(z.get<std::string>());
            }
    } else {
        s.zones = zones;
    }

    if (*kind == "node_service") {
        s.kind = ServiceKind::node_service;
        NodeServiceSpec n;
        if (auto w = r.integer("workers", 1, kMaxWorkers)) n.workers = static_cast<int>(*w);
        if (auto m = r.integer("max_in_flight", 1, 1000000)) n.max_in_flight = static_cast<int>(*m);
        if (auto q = r.integer("accept_queue", 0, 1000000)) n.accept_queue = static_cast<int>(*q);
        n.shedding = parse_shedding(r);
        s.rate_limit = parse_rate_limit(r);
        n.autoscaling = parse_autoscaling(r, s.replicas);
        s.node = n;
        s.endpoints = parse_endpoints(r, ctx);
        if (const json* res = r.child("resilience")) {
            ObjectReader rr(*res, r.at("resilience"), ctx,
                            "an object of call policies by dependency, such as {\"payments\": {\"timeout\": \"2s\"}}");
            if (rr.valid()) rr.named_entries();
            if (rr.valid())
                for (const auto& [dep, body] : res->items()) {
                    if (is_annotation(dep) || dep.empty()) continue;
                    rr.has(dep);
                    if (auto p = parse_call_policy(body, rr.at(dep), ctx)) s.resilience[dep] = std::move(p);
                }
            apply_service_policies(s);
        }
    } else if (*kind == "load_balancer") {
        s.kind = ServiceKind::load_balancer;
        LoadBalancerSpec lb;
        if (auto b = r.name("backend", Need::required)) lb.backend = *b;
        if (auto a = r.one_of("algorithm", {"round_robin", "least_connections", "random", "power_of_two",
                                            "consistent_hash", "sticky"})) {
            static const std::map<std::string, LbAlgorithm> kAlg{
                {"round_robin", LbAlgorithm::round_robin}, {"least_connections", LbAlgorithm::least_connections},
                {"random", LbAlgorithm::random},           {"power_of_two", LbAlgorithm::power_of_two},
                {"consistent_hash", LbAlgorithm::consistent_hash}, {"sticky", LbAlgorithm::sticky}};
            lb.algorithm = kAlg.at(*a);
        }
        if (auto c = r.distribution("cpu_per_request")) lb.cpu_per_request = *c;
        if (auto m = r.integer("max_connections", 1, 10000000)) lb.max_connections = static_cast<int>(*m);
        if (auto b = r.number("bounded_load", 1.0, 10.0)) lb.bounded_load = *b;
        lb.health_check = parse_health_check(r);
        lb.outlier_detection = parse_outlier_detection(r);
        if (r.has("deadline")) {
            lb.deadline_s = r.duration("deadline");
            if (lb.deadline_s && *lb.deadline_s <= 0) r.error("deadline", "expected a positive duration such as \"1s\"");
        }
        s.rate_limit = parse_rate_limit(r);
        lb.slow_start = parse_slow_start(r);
        s.lb = lb;
    } else if (*kind == "cache") {
        s.kind = ServiceKind::cache;
        CacheSpec c;
        const bool has_bytes = r.has("capacity"), has_keys = r.has("max_keys");
        if (has_bytes) {
            const auto cap = r.size("capacity");
            c.capacity_bytes = cap.value_or(0);
            if (cap && *cap <= 0) r.error("capacity", "a cache needs a positive capacity");
        }
        if (has_keys) c.capacity_keys = r.count("max_keys", 1e12).value_or(0);
        if (!has_bytes && !has_keys) r.error("", "a cache needs \"capacity\" (memory, e.g. \"8GiB\") or \"max_keys\"");
        if (has_bytes && has_keys) r.error("max_keys", "give either \"capacity\" or \"max_keys\", not both");
        if (r.has("ttl")) c.default_ttl_s = r.duration("ttl");
        if (auto t = r.integer("threads", 1, 256)) c.threads = static_cast<int>(*t);
        if (auto d = r.distribution("op_time")) c.op_time = *d;
        s.cache = c;
    } else if (is_db) {
        s.kind = ServiceKind::database;
        DatabaseSpec d;
        if (r.has("replicas"))
            r.error("replicas", "a database has one primary; set \"read_replicas\" for more servers");
        if (auto n = r.integer("read_replicas", 0, 64)) d.read_replicas = static_cast<int>(*n);
        if (auto b = r.boolean("read_from_replicas")) d.read_from_replicas = *b;
        if (auto c = r.integer("concurrency", 1, 100000)) d.concurrency = static_cast<int>(*c);
        if (auto m = r.integer("max_connections", 1, 1000000)) d.max_connections = static_cast<int>(*m);
        if (const json* pool = r.child("pool")) {
            ObjectReader pr(*pool, r.at("pool"), ctx);
            if (auto n = pr.integer("size", 1, 100000)) d.pool_size = static_cast<int>(*n);
            if (auto t = pr.duration("timeout")) d.pool_timeout_s = *t;
            pr.finish();
        }
        if (auto l = r.duration("replication_lag")) d.replication_lag_s = *l;
        s.replicas = 1 + d.read_replicas;
        s.database = d;
    } else if (*kind == "queue") {
        s.kind = ServiceKind::queue;
        QueueSpec q;
        if (auto m = r.integer("max_depth", 1, 1000000000)) q.max_depth = static_cast<int>(*m);
        if (auto b = r.one_of("backpressure", {"reject", "block"}))
            q.backpressure = *b == "reject" ? QueueSpec::Backpressure::reject : QueueSpec::Backpressure::block;
        if (const json* c = r.child("consumer", Need::required)) {
            ObjectReader cr(*c, r.at("consumer"), ctx, "an object {\"service\": ..., \"endpoint\": ...}");
            if (auto sv = cr.name("service", Need::required)) q.consumer_service = *sv;
            if (auto e = cr.name("endpoint", Need::required)) q.consumer_endpoint = *e;
            if (auto n = cr.integer("concurrency", 1, 100000)) q.consumer_concurrency = static_cast<int>(*n);
            cr.finish();
        }
        if (auto d = r.distribution("publish_time")) q.publish_time = *d;
        if (auto v = r.duration("visibility_timeout")) q.visibility_timeout_s = *v;
        if (auto m = r.integer("max_deliveries", 1, 1000)) q.max_deliveries = static_cast<int>(*m);
        if (auto d = r.name("dead_letter_queue")) q.dead_letter_queue = *d;
        s.queue = q;
    } else {
        s.kind = ServiceKind::external;
        ExternalSpec e;
        if (auto l = r.distribution("latency")) e.latency = *l;
        if (auto c = r.integer("concurrency", 1, 10000000)) e.concurrency = static_cast<int>(*c);
        if (auto er = r.fraction("error_rate")) e.error_rate = *er;
        s.external = e;
    }
    r.finish();
    return s;
}

}  // namespace stacksim::schema
