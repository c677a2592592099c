// The experiment's `deploys` list (docs/file-formats.md#deploys): a new version of a
// node_service rolled out during the run by one of the strategies of docs/control.md#deploys.
#include <algorithm>
#include <cmath>
#include <set>

#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

using Strategy = Deploy::Strategy;

// maxSurge / maxUnavailable: a count (2) or a share of the replicas ("25%").
void read_budget(ObjectReader& r, const char* key, double& value, bool& fraction) {
    const json* v = r.child(key);
    if (!v) return;
    if (v->is_string()) {
        if (auto f = r.fraction(key)) value = *f, fraction = true;
    } else if (auto n = r.integer(key, 0, 100000)) {
        value = static_cast<double>(*n);
        fraction = false;
    }
}

VersionSpec parse_version(ObjectReader& r) {
    VersionSpec v;
    const json* node = r.child("version", Need::required);
    if (!node) return v;
    ObjectReader vr(*node, r.at("version"), r.context(),
                    "an object {\"name\": \"v2\", \"error_rate\": \"1%\", \"cpu_factor\": 1.2, \"crash_after\": \"5min\"}");
    if (!vr.valid()) return v;
    if (auto n = vr.name("name")) v.name = *n;
    if (auto e = vr.fraction("error_rate")) v.error_rate = *e;
    const bool cpu = vr.has("cpu_factor"), latency = vr.has("latency_factor");
    if (cpu && latency) vr.error("latency_factor", "\"latency_factor\" and \"cpu_factor\" are the same multiplier: give one");
    if (auto f = vr.number(latency ? "latency_factor" : "cpu_factor", 0.01, 100)) v.cpu_factor = *f;
    if (vr.has("crash_after")) {
        v.crash_after_s = vr.duration("crash_after");
        if (v.crash_after_s && *v.crash_after_s <= 0) vr.error("crash_after", "expected a positive duration");
    }
    vr.finish();
    return v;
}

std::vector<CanaryStep> parse_steps(ObjectReader& r) {
    std::vector<CanaryStep> steps;
    const json* node = r.child("steps", Need::required);
    if (!node) return steps;
    if (!node->is_array() || node->empty() || node->size() > 100) {
        r.error("steps", "expected 1 to 100 steps such as [{\"weight\": \"5%\", \"pause\": \"1min\"}, {\"weight\": \"100%\"}]");
        return steps;
    }
    double last = 0;
    for (std::size_t i = 0; i < node->size(); ++i) {
        ObjectReader sr((*node)[i], pointer_join(r.at("steps"), i), r.context(), "a step {\"weight\": \"5%\", \"pause\": \"1min\"}");
        if (!sr.valid()) continue;
        CanaryStep s;
        if (auto w = sr.fraction("weight", Need::required)) {
            s.weight = *w;
            if (*w <= last) sr.error("weight", "step weights must increase and be above 0%");
            last = std::max(last, *w);
        }
        if (auto p = sr.duration("pause")) s.pause_s = *p;
        sr.finish();
        steps.push_back(s);
    }
    return steps;
}

std::optional<CanaryAnalysis> parse_analysis(ObjectReader& r) {
    const json* node = r.child("analysis");
    if (!node) return std::nullopt;
    ObjectReader ar(*node, r.at("analysis"), r.context(),
                    "an object {\"max_error_rate\": \"1%\", \"interval\": \"10s\", \"failure_limit\": 0, \"min_requests\": 10}");
    if (!ar.valid()) return std::nullopt;
    CanaryAnalysis a;
    if (auto m = ar.fraction("max_error_rate", Need::required)) a.max_error_rate = *m;
    if (auto i = ar.duration("interval", Need::optional, 86400)) {
        if (*i < 0.1) ar.error("interval", "expected at least 100ms");
        a.interval_s = std::max(*i, 0.1);
    }
    if (auto f = ar.integer("failure_limit", 0, 1000)) a.failure_limit = static_cast<int>(*f);
    if (auto m = ar.integer("min_requests", 1, 1000000000)) a.min_requests = static_cast<int>(*m);
    ar.finish();
    return a;
}

// Keys that belong to other strategies are mistakes, not silently ignored options.
void only_for(ObjectReader& r, Strategy s, const char* key, std::initializer_list<Strategy> used_by) {
    if (!r.has(key) || std::find(used_by.begin(), used_by.end(), s) != used_by.end()) return;
    std::string list;
    for (Strategy u : used_by) list += std::string(list.empty() ? "" : " or ") + "\"" + to_string(u) + "\"";
    r.error(key, std::string("\"") + key + "\" is only used with \"strategy\": " + list);
}

}  // namespace

std::vector<Deploy> parse_deploys(const json& node, const std::string& pointer, Context& ctx, const Topology& t,
                                  double duration_s) {
    std::vector<Deploy> out;
    if (!node.is_array()) {
        ctx.diag.error(ctx.file, pointer, "expected an array of deploys, got " + describe(node));
        return out;
    }
    std::set<std::string> deployed;
    for (std::size_t i = 0; i < node.size(); ++i) {
        ObjectReader r(node[i], pointer_join(pointer, i), ctx,
                       "a deploy object {\"service\": \"api\", \"at\": \"1min\", \"strategy\": \"rolling\", \"version\": {…}}");
        if (!r.valid()) continue;
        Deploy d;
        d.pointer = r.pointer();
        static const std::map<std::string, Strategy> kStrategies{
            {"rolling", Strategy::rolling}, {"blue_green", Strategy::blue_green}, {"canary", Strategy::canary},
            {"pm2_reload", Strategy::pm2_reload}, {"pm2_restart", Strategy::pm2_restart}};
        if (auto s = r.one_of("strategy", {"rolling", "blue_green", "canary", "pm2_reload", "pm2_restart"}, Need::required))
            d.strategy = kStrategies.at(*s);
        const bool pm2 = d.strategy == Strategy::pm2_reload || d.strategy == Strategy::pm2_restart;
        if (pm2) d.startup_s = 1, d.drain_timeout_s = 1.6;  // a forked worker listening; PM2's kill_timeout default
        if (auto s = r.name("service", Need::required)) {
            d.service = *s;
            const Service* svc = t.find(*s);
            if (!svc) {
                r.error("service", "no service \"" + *s + "\" in the topology");
            } else if (svc->kind != ServiceKind::node_service) {
                r.error("service", "only a node_service can be deployed (\"" + *s + "\" is a " + to_string(svc->kind) + ")");
            } else if (svc->node && svc->node->autoscaling) {
                r.error("service", "\"" + *s + "\" is autoscaled: deploys of autoscaled services are not simulated yet");
            } else if (!deployed.insert(*s).second) {
                r.error("service", "\"" + *s + "\" already has a deploy: one deploy per service per run");
            } else if (d.strategy == Strategy::canary) {
                const bool fronted = std::any_of(t.services.begin(), t.services.end(),
                                                 [&](const auto& kv) { return kv.second.lb && kv.second.lb->backend == *s; });
                if (!fronted) r.error("strategy", "a canary needs a load_balancer in front of \"" + *s + "\" (weighted routing)");
            }
        }
        if (auto a = r.duration("at", Need::required)) {
            d.at_s = *a;
            if (*a >= duration_s) r.error("at", "the deploy must start before the end of the run");
        }
        if (auto f = r.name("from_version")) d.from_version = *f;
        d.version = parse_version(r);
        if (d.version.name == d.from_version) r.error("version", "the new version needs a name other than \"" + d.from_version + "\"");
        if (auto s = r.duration("startup", Need::optional, 3600)) d.startup_s = *s;
        const char* drain_key = pm2 ? "kill_timeout" : "drain_timeout";
        if (r.has(pm2 ? "drain_timeout" : "kill_timeout"))
            r.error(pm2 ? "drain_timeout" : "kill_timeout",
                    pm2 ? "PM2 strategies call it \"kill_timeout\"" : "\"kill_timeout\" is for the PM2 strategies; use \"drain_timeout\"");
        if (auto s = r.duration(drain_key, Need::optional, 3600)) d.drain_timeout_s = *s;
        only_for(r, d.strategy, "max_surge", {Strategy::rolling});
        only_for(r, d.strategy, "max_unavailable", {Strategy::rolling});
        only_for(r, d.strategy, "soak", {Strategy::blue_green});
        only_for(r, d.strategy, "scale_down_delay", {Strategy::blue_green});
        only_for(r, d.strategy, "steps", {Strategy::canary});
        only_for(r, d.strategy, "analysis", {Strategy::canary});
        if (d.strategy == Strategy::rolling) {
            read_budget(r, "max_surge", d.max_surge, d.max_surge_fraction);
            read_budget(r, "max_unavailable", d.max_unavailable, d.max_unavailable_fraction);
            const Service* svc = t.find(d.service);
            const int n = svc ? svc->replicas : 1;
            if (max_surge_instances(d, n) == 0 && max_unavailable_instances(d, n) == 0)
                r.error("max_unavailable", "max_surge and max_unavailable cannot both be 0 (with " + std::to_string(n) +
                                               " replicas): the rollout could never make progress");
        } else if (d.strategy == Strategy::blue_green) {
            if (auto s = r.duration("soak")) d.soak_s = *s;
            if (auto s = r.duration("scale_down_delay")) d.scale_down_delay_s = *s;
        } else if (d.strategy == Strategy::canary) {
            d.steps = parse_steps(r);
            d.analysis = parse_analysis(r);
        }
        r.finish();
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace stacksim::schema
