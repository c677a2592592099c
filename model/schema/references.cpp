#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

struct RefChecker {
    const Topology& t;
    Context& ctx;
    const std::set<std::string>& declared;
    std::vector<std::string> names;

    // The service `name` if it exists with one of `kinds`; reports and returns nullptr otherwise.
    const Service* expect(const std::string& name, std::initializer_list<ServiceKind> kinds, const std::string& pointer,
                          const char* what) {
        const Service* s = t.find(name);
        if (!s) {
            if (!declared.count(name) && !name.empty())  // "" was reported where it was read
                ctx.diag.error(ctx.file, pointer, std::string("unknown ") + what + " \"" + name + "\"" +
                                                      suggestion(name, names));
            return nullptr;
        }
        for (ServiceKind k : kinds)
            if (s->kind == k) return s;
        ctx.diag.error(ctx.file, pointer, "\"" + name + "\" is a " + to_string(s->kind) + ", expected a " + what);
        return nullptr;
    }

    void endpoint_exists(const Service& target, const std::string& via, const std::string& endpoint,
                         const std::string& pointer) {
        if (target.endpoints.count(endpoint)) return;
        std::vector<std::string> eps;
        for (const auto& [n, _] : target.endpoints) eps.push_back(n);
        ctx.diag.error(ctx.file, pointer, "service \"" + target.name + "\"" + (via.empty() ? "" : " (behind \"" + via + "\")") +
                                              " has no endpoint \"" + endpoint + "\"" + suggestion(endpoint, eps));
    }

    void steps(const Steps& list) {
        for (const Step& s : list) std::visit([&](const auto& body) { step(body, s.pointer); }, s.body);
    }
    void step(const CpuStep&, const std::string&) {}
    void step(const CallStep& c, const std::string& p) {
        const Service* s = expect(c.service, {ServiceKind::node_service, ServiceKind::load_balancer, ServiceKind::external},
                                  pointer_join(p, "call"), "service to call (node_service, load_balancer or external)");
        if (!s || s->kind == ServiceKind::external) return;
        const Service* target = t.resolve(c.service);
        if (!target) return;  // broken LB chain, reported at the LB
        if (c.endpoint.empty())
            ctx.diag.error(ctx.file, p, "a call to \"" + c.service + "\" needs an \"endpoint\"");
        else
            endpoint_exists(*target, target == s ? "" : s->name, c.endpoint, pointer_join(p, "endpoint"));
    }
    void step(const CacheStep& c, const std::string& p) {
        expect(c.cache, {ServiceKind::cache}, pointer_join(p, "cache"), "cache");
        steps(c.on_miss);
    }
    void step(const DbStep& d, const std::string& p) {
        expect(d.database, {ServiceKind::database}, pointer_join(p, "db"), "database");
    }
    void step(const PublishStep& q, const std::string& p) {
        expect(q.queue, {ServiceKind::queue}, pointer_join(p, "publish"), "queue");
    }
    void step(const BranchStep& b, const std::string&) {
        for (const Branch& br : b.branches) steps(br.steps);
    }
};

}  // namespace

void check_references(const Topology& t, Context& ctx, const std::set<std::string>& declared) {
    RefChecker rc{t, ctx, declared, {declared.begin(), declared.end()}};
    for (const auto& [name, s] : t.services) {
        for (const auto& [_, ep] : s.endpoints) rc.steps(ep.steps);
        for (const auto& [dep, policy] : s.resilience)  // per-dependency call policies
            rc.expect(dep, {ServiceKind::node_service, ServiceKind::load_balancer, ServiceKind::external, ServiceKind::database},
                      pointer_join(pointer_join(s.pointer, "resilience"), dep),
                      "dependency (node_service, load_balancer, external or database)");
        if (s.lb) {
            const std::string at = pointer_join(s.pointer, "backend");
            if (s.lb->backend == name)
                ctx.diag.error(ctx.file, at, "a load balancer cannot be its own backend");
            else if (rc.expect(s.lb->backend, {ServiceKind::node_service, ServiceKind::load_balancer}, at,
                               "backend (node_service or load_balancer)") &&
                     !t.resolve(name))
                ctx.diag.error(ctx.file, at, "load balancers forward to each other in a loop");
        }
        if (s.queue) {
            const std::string at = pointer_join(s.pointer, "consumer");
            if (const Service* c = rc.expect(s.queue->consumer_service, {ServiceKind::node_service},
                                             pointer_join(at, "service"), "consumer service (node_service)"))
                rc.endpoint_exists(*c, "", s.queue->consumer_endpoint, pointer_join(at, "endpoint"));
            if (!s.queue->dead_letter_queue.empty())
                rc.expect(s.queue->dead_letter_queue, {ServiceKind::queue}, pointer_join(s.pointer, "dead_letter_queue"),
                          "queue");
        }
    }
}

}  // namespace stacksim::schema
