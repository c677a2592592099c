#include <algorithm>

#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

constexpr std::size_t kMaxServices = 1000;

void parse_machines(ObjectReader& top, Context& ctx, MachineCatalog& catalog) {
    const json* ms = top.child("machines");
    if (!ms) return;
    ObjectReader mr(*ms, top.at("machines"), ctx, "an object of machine types");
    if (!mr.valid()) return;
    mr.named_entries();
    // Types with "like" may build on each other; add them once their base exists.
    std::vector<std::string> order;
    for (const auto& [name, body] : ms->items())
        if (!is_annotation(name) && !name.empty() && !(body.is_object() && body.contains("like"))) order.push_back(name);
    for (bool progress = true; progress;) {
        progress = false;
        for (const auto& [name, body] : ms->items()) {
            if (is_annotation(name) || name.empty() || std::find(order.begin(), order.end(), name) != order.end()) continue;
            const json& like = body["like"];
            const bool known_base = like.is_string() && (catalog.find(like.get<std::string>()) ||
                                                         std::find(order.begin(), order.end(), like.get<std::string>()) != order.end());
            if (known_base) order.push_back(name), progress = true;
        }
    }
    for (const auto& [name, body] : ms->items())  // unresolvable ones last, to be reported
        if (!is_annotation(name) && !name.empty() && std::find(order.begin(), order.end(), name) == order.end())
            order.push_back(name);
    for (const auto& name : order) {
        const json& body = (*ms)[name];
        mr.has(name);
        ObjectReader r(body, mr.at(name), ctx, "a machine type object");
        if (!r.valid()) continue;
        MachineType m;
        m.name = name;
        m.source = ctx.file;
        // A custom type may start from a catalog type and change some fields ("like").
        if (auto like = r.name("like")) {
            if (const MachineType* base = catalog.find(*like)) {
                m = *base;
                m.name = name;
                m.source = ctx.file;
            } else {
                r.error("like", "unknown machine type \"" + *like + "\"" + suggestion(*like, catalog.names()));
            }
        }
        const Need need = r.has("like") ? Need::optional : Need::required;
        if (auto v = r.integer("vcpus", 1, 1024, need)) m.vcpus = static_cast<int>(*v);
        if (auto v = r.number("speed", 0.01, 100, Need::optional)) m.core_speed = *v;
        if (auto v = r.size("ram", need)) m.ram_bytes = *v;
        if (auto v = r.bandwidth("nic", need)) m.nic_bps = *v;
        if (auto v = r.price("price", need)) m.price_per_h = *v;
        r.finish();
        catalog.add(std::move(m));
    }
}

LinkSpec parse_link(ObjectReader& r, LinkSpec fallback) {
    if (auto l = r.duration("latency")) fallback.latency_s = *l;
    if (auto b = r.bandwidth("bandwidth")) fallback.bandwidth_bps = *b;
    return fallback;
}

void parse_network(ObjectReader& top, Context& ctx, Topology& t) {
    const json* net = top.child("network");
    if (!net) return;
    ObjectReader nr(*net, top.at("network"), ctx);
    if (!nr.valid()) return;
    if (auto c = nr.duration("connect_timeout")) {
        if (*c <= 0) nr.error("connect_timeout", "the connect timeout must be positive");
        else t.connect_timeout_s = *c;
    }
    for (const char* key : {"intra_zone", "inter_zone"}) {
        if (const json* l = nr.child(key)) {
            ObjectReader lr(*l, nr.at(key), ctx, "an object {\"latency\": ..., \"bandwidth\": ...}");
            LinkSpec& target = std::string(key) == "intra_zone" ? t.intra_zone : t.inter_zone;
            target = parse_link(lr, target);
            lr.finish();
        }
    }
    if (const json* links = nr.child("links")) {
        if (!links->is_array()) {
            nr.error("links", "expected an array of {\"zones\": [a, b], \"latency\": ..., \"bandwidth\": ...}");
        } else {
            for (std::size_t i = 0; i < links->size(); ++i) {
                ObjectReader lr((*links)[i], pointer_join(nr.at("links"), i), ctx);
                if (!lr.valid()) continue;
                const json* zs = lr.child("zones", Need::required);
                const LinkSpec spec = parse_link(lr, t.inter_zone);
                if (zs && (!zs->is_array() || zs->size() != 2 || !(*zs)[0].is_string() || !(*zs)[1].is_string())) {
                    lr.error("zones", "expected two zone names, e.g. [\"eu-west-1a\", \"eu-west-1b\"]");
                } else if (zs) {
                    const std::string a = (*zs)[0], b = (*zs)[1];
                    bool ok = true;
                    for (std::size_t k = 0; k < 2; ++k) {
                        const std::string z = (*zs)[k];
                        if (std::find(t.zones.begin(), t.zones.end(), z) == t.zones.end()) {
                            ctx.diag.error(ctx.file, pointer_join(lr.at("zones"), k),
                                           "unknown zone \"" + z + "\"" + suggestion(z, t.zones));
                            ok = false;
                        }
                    }
                    if (ok) t.zone_links[std::minmax(a, b)] = spec;
                }
                lr.finish();
            }
        }
    }
    nr.finish();
}

}  // namespace

Topology parse_topology(const json& doc, Context& ctx, const std::string& root) {
    Topology t;
    t.file = ctx.file;
    t.machines = MachineCatalog::builtin();
    ObjectReader top(doc, root, ctx, "a topology object");
    if (!top.valid()) return t;
    if (auto v = top.integer("version", 1, 1)) (void)v;
    if (auto n = top.string("name")) t.name = *n;
    if (auto d = top.string("description")) t.description = *d;
    parse_machines(top, ctx, t.machines);
    if (const json* zs = top.child("zones")) {
        if (!zs->is_array() || zs->empty() || zs->size() > 256) {
            top.error("zones", "expected an array of 1 to 256 zone names");
        } else {
            for (std::size_t i = 0; i < zs->size(); ++i) {
                const auto& z = (*zs)[i];
                if (!z.is_string() || z.get<std::string>().empty())
                    ctx.diag.error(ctx.file, pointer_join(top.at("zones"), i), "expected a zone name, got " + describe(z));
                else if (std::find(t.zones.begin(), t.zones.end(), z.get<std::string>()) != t.zones.end())
                    ctx.diag.error(ctx.file, pointer_join(top.at("zones"), i), "zone " + describe(z) + " is listed twice");
                else
                    t.zones.push_back(z.get<std::string>());
            }
        }
    } else {
        t.zones = {"zone-a"};
    }
    parse_network(top, ctx, t);
    const json* svcs = top.child("services", Need::required);
    if (svcs) {
        ObjectReader sr(*svcs, top.at("services"), ctx, "an object of services keyed by name");
        if (sr.valid() && sr.named_entries() == 0) sr.error("", "a topology needs at least one service");
        if (sr.valid() && svcs->size() > kMaxServices)
            sr.error("", "more than " + std::to_string(kMaxServices) + " services");
        else if (sr.valid())
            for (const auto& [name, body] : svcs->items()) {
                if (is_annotation(name) || name.empty()) continue;
                sr.has(name);
                if (auto s = parse_service(name, body, sr.at(name), ctx, t.machines, t.zones))
                    t.services.emplace(name, std::move(*s));
            }
    }
    top.finish();
    std::set<std::string> declared;
    if (svcs && svcs->is_object())
        for (const auto& [name, _] : svcs->items())
            if (!is_annotation(name) && !name.empty()) declared.insert(name);
    check_references(t, ctx, declared);
    return t;
}

}  // namespace stacksim::schema
