#include "model/schema/loader.hpp"

#include <filesystem>
#include <map>

#include "model/graph/call_graph.hpp"
#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

namespace fs = std::filesystem;

void check_graph(const Topology& t, Context& ctx) {
    for (const auto& cycle : graph::find_sync_cycles(t)) {
        std::string path;
        for (const auto& n : cycle.path) path += (path.empty() ? "" : " -> ") + n;
        ctx.diag.error(ctx.file, cycle.pointers.empty() ? "" : cycle.pointers.back(),
                       "synchronous calls form a cycle: " + path +
                           " (each caller waits for the next forever; make one call \"async\": true or remove it)");
    }
}

void check_experiment(const Experiment& e, Context& ctx, Context& topo_ctx) {
    const Topology& t = e.topology;
    const Service* entry = t.find(e.workload.entry);
    std::vector<std::string> names;
    for (const auto& [n, _] : t.services) names.push_back(n);
    if (!e.workload.entry.empty() && !entry) {
        ctx.diag.error(ctx.file, "/workload/entry",
                       "unknown service \"" + e.workload.entry + "\"" + suggestion(e.workload.entry, names));
        return;
    }
    if (!entry) return;
    const Service* target = t.resolve(e.workload.entry);
    if (!target || target->kind != ServiceKind::node_service) {
        ctx.diag.error(ctx.file, "/workload/entry",
                       "the entry must be a node_service or a load_balancer in front of one; \"" + e.workload.entry +
                           "\" is a " + to_string(entry->kind));
        return;
    }
    std::vector<std::string> eps;
    for (const auto& [n, _] : target->endpoints) eps.push_back(n);
    for (const auto& m : e.workload.mix)
        if (!target->endpoints.count(m.endpoint))
            ctx.diag.error(ctx.file, pointer_join("/workload/mix", m.endpoint),
                           "service \"" + target->name + "\" has no endpoint \"" + m.endpoint + "\"" +
                               suggestion(m.endpoint, eps));
    for (std::size_t i = 0; i < e.slos.size(); ++i) {
        const std::string& ep = e.slos[i].endpoint;
        const std::string at = pointer_join(pointer_join("/slos", i), "endpoint");
        if (!ep.empty() && !target->endpoints.count(ep))
            ctx.diag.error(ctx.file, at, "service \"" + target->name + "\" has no endpoint \"" + ep + "\"" + suggestion(ep, eps));
        else if (!ep.empty() && std::none_of(e.workload.mix.begin(), e.workload.mix.end(),
                                             [&](const MixEntry& m) { return m.endpoint == ep; }))
            ctx.diag.error(ctx.file, at, "endpoint \"" + ep + "\" gets no traffic: it is not in /workload/mix, so the SLO could never be judged");
    }
    // One error per duplicated name, at its second use (not one per pair: 3,000 SLOs with one
    // name would otherwise print 4.5 M lines).
    std::map<std::string, std::vector<std::size_t>> by_name;
    for (std::size_t i = 0; i < e.slos.size(); ++i)
        if (!e.slos[i].name.empty()) by_name[e.slos[i].name].push_back(i);
    for (const auto& [name, uses] : by_name)
        if (uses.size() > 1)
            ctx.diag.error(ctx.file, pointer_join(pointer_join("/slos", uses[1]), "name"),
                           "another SLO (/slos/" + std::to_string(uses[0]) + ") is already named \"" + name + "\"" +
                               (uses.size() > 2 ? " (" + std::to_string(uses.size()) + " SLOs share this name)" : ""));
    std::vector<std::string> targets = names;
    targets.insert(targets.end(), t.zones.begin(), t.zones.end());
    for (const Fault& f : e.chaos)
        if (!f.target.empty() && !t.find(f.target) &&
            std::find(t.zones.begin(), t.zones.end(), f.target) == t.zones.end())
            ctx.diag.error(ctx.file, pointer_join(f.pointer, "target"),
                           "unknown service or zone \"" + f.target + "\"" + suggestion(f.target, targets));
    // What each fault kind can target (docs/chaos.md).
    for (const Fault& f : e.chaos) {
        const Service* svc = t.find(f.target);
        const bool zone = std::find(t.zones.begin(), t.zones.end(), f.target) != t.zones.end();
        if (!svc && !zone) continue;  // reported above
        std::string need;
        if (f.kind == "zone_outage" && !zone) need = "a zone";
        else if (f.kind == "cache_flush" && !(svc && svc->kind == ServiceKind::cache)) need = "a cache service";
        else if (f.kind == "db_failover" && !(svc && svc->kind == ServiceKind::database)) need = "a database service";
        else if ((f.kind == "worker_crash" || f.kind == "cpu_slowdown") && svc && svc->kind != ServiceKind::node_service)
            need = "a node_service or a zone";
        else if ((f.kind == "dependency_errors" || f.kind == "dependency_hang") && !svc) need = "a service";
        else if (f.kind == "disk_slowdown" && svc && svc->kind != ServiceKind::database && svc->kind != ServiceKind::queue)
            need = "a database, a queue or a zone";
        else if (f.kind == "memory_leak" && svc && svc->kind != ServiceKind::node_service) need = "a node_service or a zone";
        if (!need.empty())
            ctx.diag.error(ctx.file, pointer_join(f.pointer, "target"),
                           "a " + f.kind + " fault targets " + need + ", got \"" + f.target + "\"");
    }
    for (const Fault& f : e.chaos)
        for (std::size_t i = 0; i < f.between.size(); ++i)
            if (std::find(t.zones.begin(), t.zones.end(), f.between[i]) == t.zones.end())
                ctx.diag.error(ctx.file, pointer_join(pointer_join(f.pointer, "between"), i),
                               "unknown zone \"" + f.between[i] + "\"" + suggestion(f.between[i], t.zones));
    const auto reached = graph::reachable_services(t, e.workload.entry);
    for (const auto& [name, s] : t.services)
        if (!reached.count(name))
            topo_ctx.diag.warning(topo_ctx.file, s.pointer,
                                  "service \"" + name + "\" is unreachable from the workload entry \"" +
                                      e.workload.entry + "\"; it is priced but receives no traffic");
}

bool apply_all(json& doc, const std::vector<std::string>& overrides, const std::string& file, Diagnostics& diag) {
    bool ok = true;
    for (const auto& o : overrides) ok = apply_override(doc, o, file, diag) && ok;
    return ok;
}

std::optional<Topology> topology_from(const json& doc, const std::string& file, Diagnostics& diag,
                                     const std::string& root = "") {
    Context ctx{file, diag};
    const std::size_t before = diag.error_count();
    Topology t = parse_topology(doc, ctx, root);
    check_graph(t, ctx);  // meaningful on a partly broken topology too: cycles only use what parsed
    if (diag.error_count() != before) return std::nullopt;
    return t;
}

}  // namespace

std::optional<Topology> load_topology(const std::string& path, const std::vector<std::string>& overrides,
                                      Diagnostics& diag) {
    auto doc = load_json_file(path, diag);
    if (!doc || !apply_all(*doc, overrides, path, diag)) return std::nullopt;
    return topology_from(*doc, path, diag);
}

std::optional<Experiment> load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                                          Diagnostics& diag) {
    auto doc = load_json_file(path, diag);
    if (!doc) return std::nullopt;
    std::vector<std::string> own, topo;
    for (const auto& o : overrides)
        (o.rfind("topology.", 0) == 0 ? topo : own).push_back(o.rfind("topology.", 0) == 0 ? o.substr(9) : o);
    const std::size_t before = diag.error_count();
    apply_all(*doc, own, path, diag);

    // The topology is a path relative to the experiment file, or inline.
    std::optional<Topology> topology;
    std::string topo_file = path;
    if (doc->is_object() && doc->contains("topology")) {
        const json& ref = (*doc)["topology"];
        std::error_code ec;
        if (ref.is_string() && ref.get<std::string>().empty()) {
            diag.error(path, "/topology", "expected a path to a topology file, got \"\"");
        } else if (ref.is_string() &&
                   !fs::is_regular_file(topo_file = (fs::path(path).parent_path() / ref.get<std::string>())
                                                        .lexically_normal()
                                                        .string(),
                                        ec)) {
            // Named at the experiment's pointer: the mistake is there, not in a file that is absent.
            diag.error(path, "/topology",
                       "cannot open the topology file \"" + ref.get<std::string>() + "\" (" +
                           (fs::is_directory(topo_file, ec) ? "a directory" : "no such file") + ": " + topo_file +
                           "; paths are relative to the experiment's directory)");
            topo_file = path;
        } else if (ref.is_string()) {
            auto tdoc = load_json_file(topo_file, diag);
            if (!tdoc)  // its own error names the line; this one names where the experiment refers to it
                diag.error(path, "/topology",
                           "the topology file \"" + ref.get<std::string>() + "\" is not a readable JSON document (" + topo_file +
                               ", see its error)");
            else if (apply_all(*tdoc, topo, topo_file, diag))
                topology = topology_from(*tdoc, topo_file, diag);
        } else if (ref.is_object()) {
            json inline_doc = ref;
            if (apply_all(inline_doc, topo, path, diag)) topology = topology_from(inline_doc, path, diag, "/topology");
        } else {
            diag.error(path, "/topology", "expected a path to a topology file or an inline topology object, got " +
                                              describe(ref));
        }
    }
    Context ctx{path, diag};
    Experiment e = parse_experiment(*doc, ctx, topology.value_or(Topology{}));
    if (topology) {
        Context topo_ctx{topo_file, diag};
        check_experiment(e, ctx, topo_ctx);
    }
    if (diag.error_count() != before || !topology) return std::nullopt;
    return e;
}

bool validate_file(const std::string& path, const std::vector<std::string>& overrides, Diagnostics& diag) {
    const std::size_t before = diag.error_count();
    Diagnostics probe;
    auto doc = load_json_file(path, probe);
    if (doc && doc->is_object() && doc->contains("workload")) return load_experiment(path, overrides, diag).has_value();
    if (doc && doc->is_object() && !doc->contains("services") && doc->contains("topology"))
        return load_experiment(path, overrides, diag).has_value();
    load_topology(path, overrides, diag);
    return diag.error_count() == before;
}

}  // namespace stacksim::schema
