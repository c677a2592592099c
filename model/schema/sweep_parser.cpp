// The experiment's optional "sweep" block: presets for `stacksim sweep` (docs/sweep.md).
#include <algorithm>

#include "model/schema/parsers.hpp"
#include "model/units/units.hpp"

namespace stacksim::schema {
namespace {

std::optional<SweepLoad> read_load(const json& v, const std::string& pointer, Context& ctx) {
    const auto p = units::parse_rate_per_s(v.is_string() ? v.get<std::string>() : "");
    if (!v.is_string() || !p.ok()) {
        ctx.diag.error(ctx.file, pointer, "expected " + units::parse_rate_per_s("").expected() + ", got " + describe(v));
        return std::nullopt;
    }
    if (p.value() <= 0 || p.value() > 1e9) {
        ctx.diag.error(ctx.file, pointer, "a load must be positive and at most 1G/s, got " + describe(v));
        return std::nullopt;
    }
    return SweepLoad{v.get<std::string>(), p.value()};
}

// A non-empty array; `read` is called for each element with its pointer.
template <class Read>
void read_array(ObjectReader& r, const std::string& key, const char* what, Read&& read) {
    const json* a = r.child(key, Need::required);
    if (!a) return;
    if (!a->is_array() || a->empty() || a->size() > 1000) {
        r.error(key, std::string("expected a non-empty array of ") + what + ", got " + describe(*a));
        return;
    }
    for (std::size_t i = 0; i < a->size(); ++i) read((*a)[i], pointer_join(r.at(key), i));
}

// The scaled service must exist and have machines and replicas (a node_service or a load balancer).
void check_service(ObjectReader& r, const std::string& name, const Topology& t) {
    if (t.services.empty()) return;  // the topology failed to load; its own errors say why
    const Service* s = t.find(name);
    if (!s) {
        std::vector<std::string> names;
        for (const auto& [n, _] : t.services) names.push_back(n);
        r.error("service", "unknown service \"" + name + "\"" + suggestion(name, names));
    } else if (s->kind != ServiceKind::node_service && s->kind != ServiceKind::load_balancer) {
        r.error("service", "a sweep scales a node_service or a load_balancer; \"" + name + "\" is a " +
                               to_string(s->kind));
    }
}

void check_machine(const std::string& machine, const std::string& pointer, Context& ctx, const Topology& t) {
    const MachineCatalog catalog = t.services.empty() ? MachineCatalog::builtin() : t.machines;
    if (!catalog.find(machine))
        ctx.diag.error(ctx.file, pointer,
                       "unknown machine type \"" + machine + "\"" + suggestion(machine, catalog.names()) +
                           "; see `stacksim machines` or add it under the topology's /machines");
}

}  // namespace

std::optional<SweepSpec> parse_sweep(const json& node, const std::string& pointer, Context& ctx, const Topology& t) {
    ObjectReader r(node, pointer, ctx, "a sweep object");
    if (!r.valid()) return std::nullopt;
    SweepSpec s;
    if (auto q = r.string("question")) s.question = *q;
    if (r.has("loads"))
        read_array(r, "loads", "rates such as \"1M/min\"", [&](const json& v, const std::string& p) {
            if (auto l = read_load(v, p, ctx)) s.loads.push_back(*l);
        });
    if (const json* tl = r.child("target_load")) s.target_load = read_load(*tl, r.at("target_load"), ctx);
    if (const json* h = r.child("horizontal")) {
        ObjectReader hr(*h, r.at("horizontal"), ctx, "an object such as {\"service\": \"api\", \"machine\": \"c6i.xlarge\", \"replicas\": [4, 8]}");
        if (hr.valid()) {
            SweepSpec::Horizontal hz;
            if (auto v = hr.name("service", Need::required)) check_service(hr, hz.service = *v, t);
            if (auto v = hr.name("machine", Need::required)) check_machine(hz.machine = *v, hr.at("machine"), ctx, t);
            read_array(hr, "replicas", "replica counts", [&](const json& v, const std::string& p) {
                if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 10000)
                    ctx.diag.error(ctx.file, p, "expected a replica count between 1 and 10000, got " + describe(v));
                else
                    hz.replicas.push_back(v.get<int>());
            });
            s.horizontal = hz;
        }
        hr.finish();
    }
    if (const json* v = r.child("vertical")) {
        ObjectReader vr(*v, r.at("vertical"), ctx, "an object such as {\"service\": \"api\", \"replicas\": 4, \"machines\": [\"c6i.xlarge\", \"c6i.2xlarge\"]}");
        if (vr.valid()) {
            SweepSpec::Vertical vt;
            if (auto x = vr.name("service", Need::required)) check_service(vr, vt.service = *x, t);
            if (auto n = vr.integer("replicas", 1, 10000, Need::required)) vt.replicas = static_cast<int>(*n);
            read_array(vr, "machines", "machine types", [&](const json& m, const std::string& p) {
                if (!m.is_string()) {
                    ctx.diag.error(ctx.file, p, "expected a machine type such as \"c6i.2xlarge\", got " + describe(m));
                    return;
                }
                check_machine(m.get<std::string>(), p, ctx, t);
                vt.machines.push_back(m.get<std::string>());
            });
            s.vertical = vt;
        }
        vr.finish();
    }
    if (!s.horizontal && !s.vertical) r.error("", "a sweep needs a \"horizontal\" or a \"vertical\" preset (or both)");
    r.finish();
    return s;
}

}  // namespace stacksim::schema
