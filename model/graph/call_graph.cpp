#include "model/graph/call_graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <map>

namespace stacksim::graph {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, std::string>;
using Vertex = Graph::vertex_descriptor;
using Edge = Graph::edge_descriptor;

// Walks every step of an endpoint (including miss paths and branches).
template <class Fn>
void for_each_step(const Steps& steps, Fn&& fn) {
    for (const Step& s : steps) {
        fn(s);
        if (const auto* c = std::get_if<CacheStep>(&s.body)) for_each_step(c->on_miss, fn);
        if (const auto* b = std::get_if<BranchStep>(&s.body))
            for (const Branch& br : b->branches) for_each_step(br.steps, fn);
    }
}

struct CycleRecorder : boost::default_dfs_visitor {
    std::map<Vertex, Edge>* tree_in;
    std::vector<Edge>* back_edges;
    void tree_edge(Edge e, const Graph& g) { (*tree_in)[boost::target(e, g)] = e; }
    void back_edge(Edge e, const Graph&) { back_edges->push_back(e); }
};

}  // namespace

std::vector<SyncCycle> find_sync_cycles(const Topology& t) {
    Graph g;
    std::map<std::string, Vertex> ids;
    std::vector<std::string> names;
    auto vertex = [&](const std::string& key) {
        auto [it, fresh] = ids.emplace(key, 0);
        if (fresh) it->second = boost::add_vertex(g), names.push_back(key);
        return it->second;
    };
    for (const auto& [sname, s] : t.services)
        for (const auto& [ename, ep] : s.endpoints) {
            const Vertex from = vertex(sname + "/" + ename);
            for_each_step(ep.steps, [&](const Step& step) {
                const auto* call = std::get_if<CallStep>(&step.body);
                if (!call || call->async) return;
                const Service* target = t.resolve(call->service);
                if (!target || !target->endpoints.count(call->endpoint)) return;
                boost::add_edge(from, vertex(target->name + "/" + call->endpoint), step.pointer, g);
            });
        }

    std::map<Vertex, Edge> tree_in;
    std::vector<Edge> back_edges;
    CycleRecorder rec;
    rec.tree_in = &tree_in;
    rec.back_edges = &back_edges;
    boost::depth_first_search(g, boost::visitor(rec));

    std::vector<SyncCycle> cycles;
    std::set<Vertex> reported;  // one cycle per closing vertex is enough to act on
    for (const Edge& back : back_edges) {
        const Vertex head = boost::target(back, g);
        if (!reported.insert(head).second) continue;
        // Walk tree edges from the back edge's source up to its target (an ancestor on the DFS stack).
        std::vector<Edge> chain{back};
        for (Vertex v = boost::source(back, g); v != head;) {
            const Edge e = tree_in.at(v);
            chain.push_back(e);
            v = boost::source(e, g);
        }
        SyncCycle c;
        c.path.push_back(names[head]);
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            c.path.push_back(names[boost::target(*it, g)]);
            c.pointers.push_back(g[*it]);
        }
        cycles.push_back(std::move(c));
    }
    return cycles;
}

std::set<std::string> reachable_services(const Topology& t, const std::string& entry) {
    std::map<std::string, std::set<std::string>> edges;
    for (const auto& [name, s] : t.services) {
        auto& out = edges[name];
        if (s.lb) out.insert(s.lb->backend);
        if (s.queue) {
            out.insert(s.queue->consumer_service);
            if (!s.queue->dead_letter_queue.empty()) out.insert(s.queue->dead_letter_queue);
        }
        for (const auto& [_, ep] : s.endpoints)
            for_each_step(ep.steps, [&](const Step& step) {
                std::visit(
                    [&](const auto& b) {
                        using B = std::decay_t<decltype(b)>;
                        if constexpr (std::is_same_v<B, CallStep>) out.insert(b.service);
                        else if constexpr (std::is_same_v<B, CacheStep>) out.insert(b.cache);
                        else if constexpr (std::is_same_v<B, DbStep>) out.insert(b.database);
                        else if constexpr (std::is_same_v<B, PublishStep>) out.insert(b.queue);
                    },
                    step.body);
            });
    }
    Graph g;
    std::map<std::string, Vertex> ids;
    std::vector<std::string> names;
    for (const auto& [name, _] : t.services) ids[name] = boost::add_vertex(g), names.push_back(name);
    for (const auto& [from, tos] : edges)
        for (const auto& to : tos)
            if (ids.count(to)) boost::add_edge(ids[from], ids[to], g);
    std::set<std::string> seen;
    if (!ids.count(entry)) return seen;
    std::vector<boost::default_color_type> color(boost::num_vertices(g));
    struct Collect : boost::default_bfs_visitor {
        std::set<std::string>* seen;
        const std::vector<std::string>* names;
        void discover_vertex(Vertex v, const Graph&) { seen->insert((*names)[v]); }
    } visitor;
    visitor.seen = &seen;
    visitor.names = &names;
    boost::breadth_first_search(g, ids[entry],
                                boost::visitor(visitor).color_map(boost::make_iterator_property_map(
                                    color.begin(), boost::get(boost::vertex_index, g))));
    return seen;
}

}  // namespace stacksim::graph
