#include "model/graph/service_edges.hpp"

#include <algorithm>

namespace stacksim::graph {
namespace {

using Kind = ServiceEdge::Kind;

void add(std::vector<ServiceEdge>& out, ServiceEdge e) {
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(std::move(e));
}

void collect(const std::string& from, const Steps& steps, std::vector<ServiceEdge>& out) {
    for (const Step& s : steps) {
        if (const auto* c = std::get_if<CallStep>(&s.body)) add(out, {from, c->service, c->async ? Kind::async_call : Kind::call});
        else if (const auto* k = std::get_if<CacheStep>(&s.body)) {
            add(out, {from, k->cache, Kind::cache});
            collect(from, k->on_miss, out);
        } else if (const auto* d = std::get_if<DbStep>(&s.body)) add(out, {from, d->database, Kind::database});
        else if (const auto* p = std::get_if<PublishStep>(&s.body)) add(out, {from, p->queue, Kind::publish});
        else if (const auto* b = std::get_if<BranchStep>(&s.body))
            for (const Branch& br : b->branches) collect(from, br.steps, out);
    }
}

}  // namespace

const char* to_string(ServiceEdge::Kind k) {
    switch (k) {
        case Kind::call: return "call";
        case Kind::async_call: return "async call";
        case Kind::forward: return "forward";
        case Kind::cache: return "cache";
        case Kind::database: return "database";
        case Kind::publish: return "publish";
        case Kind::consume: return "consume";
    }
    return "?";
}

std::vector<ServiceEdge> service_edges(const Topology& t) {
    std::vector<ServiceEdge> out;
    for (const auto& [name, svc] : t.services) {
        if (svc.lb && !svc.lb->backend.empty()) add(out, {name, svc.lb->backend, Kind::forward});
        if (svc.queue && !svc.queue->consumer_service.empty()) add(out, {name, svc.queue->consumer_service, Kind::consume});
        for (const auto& [ep, endpoint] : svc.endpoints) collect(name, endpoint.steps, out);
    }
    return out;
}

}  // namespace stacksim::graph
