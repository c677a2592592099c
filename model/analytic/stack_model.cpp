#include "model/analytic/stack_model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

#include "model/analytic/load_balancing.hpp"
#include "model/analytic/mva.hpp"
#include "model/analytic/queueing.hpp"
#include "model/analytic/response_time.hpp"
#include "model/analytic/zipf_population.hpp"
#include "model/cost/deployment_cost.hpp"

namespace stacksim::analytic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Mean, variance and failure probability of a piece of a request's path. Pieces in sequence
// add (independence assumed); alternatives mix (law of total variance).
struct Moments {
    double mean = 0, var = 0, fail = 0;
};
Moments operator+(Moments a, const Moments& b) {
    a.mean += b.mean;
    a.var += b.var;
    a.fail = 1 - (1 - a.fail) * (1 - b.fail);
    return a;
}
// With probability p the piece `m` happens, otherwise nothing.
Moments maybe(double p, const Moments& m) {
    return {p * m.mean, p * m.var + p * (1 - p) * m.mean * m.mean, p * m.fail};
}
double dist_var(const Distribution& d, double scale = 1.0) { return d.scv() * d.mean_s * d.mean_s * scale * scale; }

// Che's characteristic time: the T at which the expected occupancy (increasing in T) fills
// the capacity, by bisection; +inf when everything fits.
template <class Occupancy>
double characteristic_time(const Occupancy& occupancy, double capacity) {
    if (occupancy(kInf) <= capacity) return kInf;
    double lo = 0, hi = 1;
    while (occupancy(hi) < capacity && hi < 1e12) hi *= 2;
    for (int i = 0; i < 80; ++i) {
        const double mid = 0.5 * (lo + hi);
        (occupancy(mid) < capacity ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// Who deals requests to a node service's instances: the runtime's own round robin (direct
// calls), a load balancer (its algorithm), or a queue's consumer slots.
struct Feed {
    double rate = 0;
    const Service* lb = nullptr;  // the load balancer in front; nullptr = direct or queue
    bool from_queue = false;
    int slot_concurrency = 0;     // from_queue: messages a consumer worker holds at once
};

struct Station {
    StationReport rep;
    double speed = 1;       // divides reference-core CPU times
    int capacity = 0;       // K for M/M/c/K; 0 = unbounded
    // Node cluster: the master deals requests round-robin to workers, each with its own queue
    // (the event loop), so the station is c separate G/G/1 queues, not one shared M/G/c queue.
    int dealt_to = 0;       // workers per instance dealt to round-robin; 0 = shared queue
    int instances = 1;      // replicas (the balancer's choices)
    std::vector<Feed> feeds;
    // A queue's consumer slots: each message holds a slot for its consumer endpoint's whole
    // response time (async to every request, so outside the closed-loop MVA).
    const Service* consumer_of = nullptr;
    double sum_rate = 0, sum_mean = 0, sum_second = 0;
    double wait_var = 0;
    void add(double rate, const Distribution& d, double scale) {
        const double m = d.mean_s * scale;
        sum_rate += rate;
        sum_mean += rate * m;
        sum_second += rate * m * m * (1 + d.scv());
    }
    // The time one visit spends here: wait + service.
    [[nodiscard]] Moments visit(const Distribution& d, double scale) const {
        return {rep.mean_wait_s + d.mean_s * scale, wait_var + dist_var(d, scale), rep.p_block};
    }
};

class StackModel {
public:
    explicit StackModel(const Experiment& e) : e_(e), t_(e.topology) {
        build_stations();
        for (const auto& [sname, s] : t_.services)
            for (const auto& [ename, ep] : s.endpoints) {
                node_index_[{sname, ename}] = nodes_.size();
                nodes_.push_back({&s, &ep});
            }
    }

    AnalyticReport run(double rate) {
        AnalyticReport r;
        solve_open(rate, r);
        if (e_.workload.type == Workload::Type::closed) solve_closed(r);
        finish(r);
        return r;
    }

private:
    const Experiment& e_;
    const Topology& t_;
    std::vector<Station> stations_;
    std::map<std::string, std::size_t> station_index_;  // "service|role"
    std::vector<std::pair<const Service*, const Endpoint*>> nodes_;
    std::map<std::pair<std::string, std::string>, std::size_t> node_index_;
    std::map<const CacheStep*, double> hit_, l1_hit_, cache_rate_;
    std::map<const CacheStep*, std::string> cache_user_;
    std::map<const CallPolicy*, double> policy_rate_;  // calls per second under each bulkhead policy
    bool sync_only_ = false;  // route/load follow only what a caller waits for (closed loops)
    std::map<std::string, std::string> model_notes_;  // per station: conditions of the model used
    std::vector<double> node_rate_;
    std::map<std::size_t, Moments> memo_;

    const MachineType* machine(const Service& s) const { return t_.machines.find(s.machine); }
    int vcpus(const Service& s) const { return machine(s) ? machine(s)->vcpus : 1; }
    double speed(const Service& s) const { return machine(s) ? machine(s)->core_speed : 1.0; }

    int workers(const Service& s) const { return s.node && s.node->workers > 0 ? s.node->workers : vcpus(s); }

    void add_station(const Service& s, const std::string& role, int servers, double spd, int capacity,
                     const std::string& formula) {
        Station st;
        st.rep.service = s.name;
        st.rep.role = role;
        st.rep.kind = to_string(s.kind);
        st.rep.servers = servers;
        st.rep.formula = formula;
        st.speed = spd;
        st.capacity = capacity;
        station_index_[s.name + "|" + role] = stations_.size();
        stations_.push_back(std::move(st));
    }
    Station& station(const std::string& service, const std::string& role) {
        return stations_.at(station_index_.at(service + "|" + role));
    }
    Station* find_station(const std::string& service, const std::string& role) {
        auto it = station_index_.find(service + "|" + role);
        return it == station_index_.end() ? nullptr : &stations_[it->second];
    }

    void build_stations() {
        for (const auto& [name, s] : t_.services) {
            switch (s.kind) {
                case ServiceKind::node_service: {
                    // A worker's event loop is one server; workers beyond the vCPUs only share cores.
                    const int w = workers(s);
                    const int c = s.replicas * std::min(w, vcpus(s));
                    const int k1 = s.node->accept_queue ? 1 + *s.node->accept_queue : 0;  // per worker
                    add_station(s, "event loop", c, speed(s), k1, k1 ? "c x M/M/1/K (per worker)" : "c x G/G/1 (per worker)");
                    stations_.back().dealt_to = w;
                    stations_.back().instances = s.replicas;
                    break;
                }
                case ServiceKind::load_balancer:
                    add_station(s, "proxy", s.replicas * vcpus(s), speed(s), 0, "M/G/c (Allen-Cunneen)");
                    break;
                case ServiceKind::cache:
                    add_station(s, "commands", s.replicas * s.cache->threads, speed(s), 0, "M/G/c (Allen-Cunneen)");
                    break;
                case ServiceKind::database: {
                    const int slots = s.database->concurrency > 0 ? s.database->concurrency : vcpus(s);
                    add_station(s, "primary", slots, 1.0, 0, "M/G/c (Allen-Cunneen)");
                    if (s.database->read_replicas > 0 && s.database->read_from_replicas)
                        add_station(s, "read replicas", slots * s.database->read_replicas, 1.0, 0,
                                    "M/G/c (Allen-Cunneen)");
                    break;
                }
                case ServiceKind::queue: {
                    add_station(s, "broker", s.replicas, speed(s), 0, "M/G/c (Allen-Cunneen)");
                    // The backlog waits for consumer slots; max_depth bounds the backlog only.
                    const Service* consumer = t_.find(s.queue->consumer_service);
                    const int slots = consumer ? consumer->replicas * workers(*consumer) * s.queue->consumer_concurrency : 0;
                    if (slots > 0) {
                        const int k = s.queue->max_depth ? slots + *s.queue->max_depth : 0;
                        add_station(s, "consumer slots", slots, 1.0, k, k ? "M/M/c/K" : "M/G/c (Allen-Cunneen)");
                        stations_.back().consumer_of = consumer;
                    }
                    break;
                }
                case ServiceKind::external: {
                    const int c = s.external->concurrency.value_or(0);
                    add_station(s, "dependency", c, 1.0, 0, c ? "M/G/c (Allen-Cunneen)" : "M/G/inf");
                    break;
                }
            }
        }
    }

    std::string db_role(const Service& db, DbStep::Op op) const {
        return op == DbStep::Op::read && db.database->read_replicas > 0 && db.database->read_from_replicas
                   ? "read replicas"
                   : "primary";
    }

    double hit(const CacheStep& c) const {
        auto it = hit_.find(&c);
        return it == hit_.end() ? 0.0 : it->second;
    }
    double l1_hit(const CacheStep& c) const {
        auto it = l1_hit_.find(&c);
        return it == l1_hit_.end() ? 0.0 : it->second;
    }
    // Probability that a lookup misses every level and runs the miss path.
    double miss_all(const CacheStep& c) const { return (1 - l1_hit(c)) * (1 - hit(c)); }

    // Hit ratio of a worker's in-process L1: Che on that worker's share of the lookups.
    // Approximation (docs/analytic-model.md): the shared cache behind it is then solved for
    // the remaining lookups as if their popularity were unchanged.
    double solve_l1(const CacheStep& c, double rate_per_worker) const {
        const double ttl = c.l1->ttl_s.value_or(kInf);
        auto occupancy = [&](double tc) {
            return zipf_cache_stats(c.zipf_alpha, c.key_space, rate_per_worker, tc, ttl).occupancy_keys;
        };
        const double tc = characteristic_time(occupancy, c.l1->max_keys);
        return zipf_cache_stats(c.zipf_alpha, c.key_space, rate_per_worker, tc, ttl).hit_ratio;
    }

    // Expected visits from `from` to other endpoints per invocation of `steps` (scaled by m).
    void route(const Steps& steps, std::size_t from, double m, Eigen::MatrixXd& v) const {
        for (const Step& step : steps) {
            if (const auto* c = std::get_if<CallStep>(&step.body)) {
                if (sync_only_ && c->async) continue;
                const Service* target = t_.resolve(c->service);
                if (target && target->kind == ServiceKind::node_service)
                    v(static_cast<Eigen::Index>(from),
                      static_cast<Eigen::Index>(node_index_.at({target->name, c->endpoint}))) += m;
            } else if (const auto* k = std::get_if<CacheStep>(&step.body)) {
                route(k->on_miss, from, m * miss_all(*k), v);
            } else if (const auto* p = std::get_if<PublishStep>(&step.body)) {
                if (sync_only_) continue;
                const QueueSpec& q = *t_.find(p->queue)->queue;
                v(static_cast<Eigen::Index>(from),
                  static_cast<Eigen::Index>(node_index_.at({q.consumer_service, q.consumer_endpoint}))) += m;
            } else if (const auto* b = std::get_if<BranchStep>(&step.body)) {
                for (const Branch& br : b->branches) route(br.steps, from, m * br.probability, v);
            }
        }
    }

    // Station load of running `steps` at `rate` per second inside service `self`.
    void load(const Steps& steps, const Service& self, double rate, const std::string& user) {
        if (rate <= 0) return;
        for (const Step& step : steps) {
            std::visit(
                [&](const auto& b) {
                    using B = std::decay_t<decltype(b)>;
                    if constexpr (std::is_same_v<B, CpuStep>) {
                        Station& st = station(self.name, "event loop");
                        st.add(rate, b.time, 1 / st.speed);
                    } else if constexpr (std::is_same_v<B, CallStep>) {
                        if (sync_only_ && b.async) return;
                        load_chain(b.service, rate);
                        if (b.policy && b.policy->bulkhead) policy_rate_[b.policy.get()] += rate;
                    } else if constexpr (std::is_same_v<B, CacheStep>) {
                        Station& st = station(b.cache, "commands");
                        if (b.l1 && rate > 0) {
                            const int workers = self.node && self.node->workers > 0 ? self.node->workers : vcpus(self);
                            l1_hit_[&b] = solve_l1(b, rate / (self.replicas * workers));
                        }
                        const double remote = rate * (1 - l1_hit(b)), miss = 1 - hit(b);
                        st.add(remote * (1 + miss), t_.find(b.cache)->cache->op_time, 1 / st.speed);  // GET (+ SET on miss)
                        cache_rate_[&b] += remote;
                        cache_user_[&b] = user;
                        load(b.on_miss, self, remote * miss, user);
                    } else if constexpr (std::is_same_v<B, DbStep>) {
                        const Service& db = *t_.find(b.database);
                        station(db.name, db_role(db, b.op)).add(rate, b.query, 1.0);
                        if (b.policy && b.policy->bulkhead) policy_rate_[b.policy.get()] += rate;
                    } else if constexpr (std::is_same_v<B, PublishStep>) {
                        if (sync_only_) return;  // the broker's time still counts: steps_time has it
                        Station& st = station(b.queue, "broker");
                        const QueueSpec& q = *t_.find(b.queue)->queue;
                        st.add(rate, q.publish_time, 1 / st.speed);
                        if (Station* slots = find_station(b.queue, "consumer slots")) slots->sum_rate += rate;
                        if (Station* loop = find_station(q.consumer_service, "event loop"))
                            loop->feeds.push_back({rate, nullptr, true, q.consumer_concurrency});
                    } else if constexpr (std::is_same_v<B, BranchStep>) {
                        for (const Branch& br : b.branches) load(br.steps, self, rate * br.probability, user);
                    }
                },
                step.body);
        }
    }

    // Load balancers on the way to `service`, and the dependency itself when external.
    void load_chain(const std::string& service, double rate) {
        const Service* via = nullptr;  // the balancer that deals to the next service
        for (const Service* s = t_.find(service); s; s = s->lb ? t_.find(s->lb->backend) : nullptr) {
            if (s->kind == ServiceKind::load_balancer) {
                Station& st = station(s->name, "proxy");
                st.add(rate, s->lb->cpu_per_request, 1 / st.speed);
                via = s;
            } else if (s->kind == ServiceKind::node_service) {
                station(s->name, "event loop").feeds.push_back({rate, via, false});
            } else if (s->kind == ServiceKind::external) {
                station(s->name, "dependency").add(rate, s->external->latency, 1.0);
            }
            if (!s->lb) break;
        }
    }

    void update_hit_ratios() {
        // Group cache steps by cache; solve Che's equation on bytes for each cache.
        std::map<std::string, std::vector<const CacheStep*>> by_cache;
        for (const auto& [step, _] : cache_rate_) by_cache[step->cache].push_back(step);
        for (const auto& [cname, steps] : by_cache) {
            const Service& cache = *t_.find(cname);
            const CacheSpec& spec = *cache.cache;
            auto ttl_of = [&](const CacheStep* s) { return s->ttl_s.value_or(spec.default_ttl_s.value_or(kInf)); };
            // Shards split the key space by hash; together they behave like one cache of the total size.
            const bool by_keys = spec.capacity_keys > 0;
            const double capacity = (by_keys ? spec.capacity_keys : spec.capacity_bytes) * cache.replicas;
            auto occupancy = [&](double tc) {
                double used = 0;
                for (const CacheStep* s : steps)
                    used += zipf_cache_stats(s->zipf_alpha, s->key_space, cache_rate_[s], tc, ttl_of(s)).occupancy_keys *
                            (by_keys ? 1.0 : s->value_bytes);
                return used;
            };
            const double tc = characteristic_time(occupancy, capacity);
            for (const CacheStep* s : steps)
                hit_[s] = zipf_cache_stats(s->zipf_alpha, s->key_space, cache_rate_[s], tc, ttl_of(s)).hit_ratio;
        }
    }

    // Invocations per second of every endpoint: the traffic equations λ = λ0 + Vᵀλ.
    Eigen::VectorXd node_rates(const Eigen::VectorXd& external) const {
        const auto n = static_cast<Eigen::Index>(nodes_.size());
        Eigen::MatrixXd v = Eigen::MatrixXd::Zero(n, n);
        for (std::size_t i = 0; i < nodes_.size(); ++i) route(nodes_[i].second->steps, i, 1.0, v);
        // Traffic equations λ = λ0 + Vᵀλ.
        const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - v.transpose();
        Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
        if (n > 0 && !lu.isInvertible())
            throw AnalysisError("the traffic equations have no solution: async calls or queue consumers "
                                "feed back into each other with certainty, so requests never finish");
        Eigen::VectorXd lambda = n > 0 ? Eigen::VectorXd(lu.solve(external)) : Eigen::VectorXd();
        for (Eigen::Index i = 0; i < n; ++i)
            if (!std::isfinite(lambda(i)) || lambda(i) < -1e-9)
                throw AnalysisError("the traffic equations diverge: a feedback loop of async calls or "
                                    "queue consumers multiplies requests");
        return lambda;
    }

    // Arrivals per second at every station from the work callers wait for (no async calls, no
    // consumers): what a closed loop's users cycle through. Leaves the model as it was.
    std::vector<double> sync_station_rates(double rate) {
        const auto saved_stations = stations_;
        const auto saved_caches = cache_rate_;
        const auto saved_users = cache_user_;
        const auto saved_policies = policy_rate_;
        const auto saved_l1 = l1_hit_;
        const Service* entry = t_.resolve(e_.workload.entry);
        Eigen::VectorXd external = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(nodes_.size()));
        for (const MixEntry& m : e_.workload.mix)
            external(static_cast<Eigen::Index>(node_index_.at({entry->name, m.endpoint}))) += rate * m.weight;
        sync_only_ = true;
        const Eigen::VectorXd lambda = node_rates(external);
        for (auto& st : stations_) st.sum_rate = st.sum_mean = st.sum_second = 0;
        load_chain(e_.workload.entry, rate);
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            load(nodes_[i].second->steps, *nodes_[i].first, std::max(0.0, lambda(static_cast<Eigen::Index>(i))), "");
        sync_only_ = false;
        std::vector<double> rates;
        for (const Station& st : stations_) rates.push_back(st.sum_rate);
        stations_ = saved_stations;
        cache_rate_ = saved_caches;
        cache_user_ = saved_users;
        policy_rate_ = saved_policies;
        l1_hit_ = saved_l1;
        return rates;
    }

    void solve_open(double rate, AnalyticReport& r) {
        const Service* entry = t_.resolve(e_.workload.entry);
        const auto n = static_cast<Eigen::Index>(nodes_.size());
        Eigen::VectorXd external = Eigen::VectorXd::Zero(n);
        for (const MixEntry& m : e_.workload.mix)
            external(static_cast<Eigen::Index>(node_index_.at({entry->name, m.endpoint}))) += rate * m.weight;

        // Cache hit ratios change miss-path traffic, which changes nothing upstream of the cache,
        // so a few fixed-point rounds converge (exactly one round when no TTL depends on rate).
        std::map<const CacheStep*, double> previous;
        for (int round = 0; round < 50; ++round) {
            const Eigen::VectorXd lambda = node_rates(external);
            node_rate_.assign(nodes_.size(), 0);
            for (auto& st : stations_) {
                st.sum_rate = st.sum_mean = st.sum_second = 0;
                st.feeds.clear();
            }
            cache_rate_.clear();
            policy_rate_.clear();
            load_chain(e_.workload.entry, rate);
            for (std::size_t i = 0; i < nodes_.size(); ++i) {
                node_rate_[i] = std::max(0.0, lambda(static_cast<Eigen::Index>(i)));
                load(nodes_[i].second->steps, *nodes_[i].first, node_rate_[i],
                     nodes_[i].first->name + "/" + nodes_[i].second->name);
            }
            previous = hit_;
            update_hit_ratios();
            double change = 0;
            for (const auto& [k, h] : hit_) change = std::max(change, std::abs(h - (previous.count(k) ? previous[k] : 0)));
            if (change < 1e-9) break;
        }
        solve_stations();
        solve_consumer_slots();
        r.offered_rate = rate;
    }

    void solve_stations() {
        for (Station& st : stations_) {
            StationReport& s = st.rep;
            s.arrival_rate = st.sum_rate;
            if (st.consumer_of) continue;  // solve_consumer_slots, once the consumers' times are known
            if (st.sum_rate <= 0) continue;
            s.mean_service_s = st.sum_mean / st.sum_rate;
            const double second = st.sum_second / st.sum_rate;
            s.service_scv = s.mean_service_s > 0 ? std::max(0.0, second / (s.mean_service_s * s.mean_service_s) - 1) : 0;
            if (s.servers == 0 || s.mean_service_s <= 0) {  // delay station: no queueing
                s.mean_response_s = s.mean_service_s;
                s.p99_response_s = gamma_quantile(s.mean_service_s, s.service_scv * s.mean_service_s * s.mean_service_s, 0.99);
                continue;
            }
            if (st.dealt_to > 0) {
                solve_event_loop(st);
                continue;
            }
            apply(st, st.capacity > 0 ? mmck(st.sum_rate, 1 / s.mean_service_s, s.servers, st.capacity)
                                      : ggc_allen_cunneen(st.sum_rate, s.mean_service_s, s.servers, 1.0, s.service_scv));
        }
    }

    // Copy a queueing result into the station. The waiting time is shaped like M/M/c's (0 with
    // probability 1 - P(wait), exponential otherwise) unless its second moment is given.
    static void apply(Station& st, const StationResult& q, double wait_second_moment = -1) {
        StationReport& s = st.rep;
        s.stable = q.stable;
        s.utilisation = q.stable || st.capacity > 0 ? q.utilisation : st.sum_rate * s.mean_service_s / s.servers;
        s.p_block = q.p_block;
        s.mean_wait_s = q.stable ? q.mean_wait_s : kInf;
        s.mean_response_s = q.stable ? q.mean_wait_s + s.mean_service_s : kInf;
        const double wq = s.mean_wait_s;
        if (!q.stable) st.wait_var = kInf;
        else if (wait_second_moment >= 0) st.wait_var = std::max(0.0, wait_second_moment - wq * wq);
        else st.wait_var = q.p_wait > 0 ? 2 * wq * wq / q.p_wait - wq * wq : 0;
        const double var = st.wait_var + s.service_scv * s.mean_service_s * s.mean_service_s;
        s.p99_response_s = q.stable ? gamma_quantile(s.mean_response_s, var, 0.99) : kInf;
    }

    // A node service's event loops: one queue per worker, fed as its load balancer deals
    // (docs/analytic-model.md, "Load balancing").
    void solve_event_loop(Station& st) {
        StationReport& s = st.rep;
        const double mu = 1 / s.mean_service_s, cs2 = s.service_scv;
        const double lambda_w = st.sum_rate / s.servers;  // per worker
        bool one_message_each = !st.feeds.empty();
        for (const Feed& f : st.feeds) one_message_each = one_message_each && f.from_queue && f.slot_concurrency == 1;
        if (one_message_each) {
            // Fed only by consumer slots of one message per worker: a worker never has two
            // messages, so its loop never queues (the backlog waits at the slots instead).
            StationResult q;
            q.utilisation = lambda_w / mu;
            q.stable = q.utilisation < 1;
            apply(st, q);
            s.formula = "no queue (one message per worker)";
            return;
        }
        if (st.capacity > 0) {
            apply(st, mmck(lambda_w, mu, 1, st.capacity));
            return;
        }
        // One balancer in front of all the traffic: its algorithm decides the model.
        const Service* only_lb = nullptr;
        bool single = !st.feeds.empty();
        for (const Feed& f : st.feeds) {
            if (!f.lb || f.from_queue || (only_lb && only_lb != f.lb)) single = false;
            if (f.lb) only_lb = f.lb;
        }
        const LbAlgorithm algo = single ? only_lb->lb->algorithm : LbAlgorithm::round_robin;
        const bool one_loop_per_instance = st.dealt_to == 1 && s.servers == st.instances;
        if (single && algo == LbAlgorithm::least_connections && one_loop_per_instance) {
            // Join-the-shortest-queue behaves like one shared queue (exact as instances grow).
            apply(st, ggc_allen_cunneen(st.sum_rate, s.mean_service_s, s.servers, 1.0, cs2));
            s.formula = "M/G/c (least connections ~ JSQ)";
            model_notes_[s.service] = fmt::format(
                "{}: least connections is modelled as one shared queue over its {} event loops, a lower bound on "
                "its waits (the simulator's mean was 10-16 % higher at rho = 0.9)", s.service, s.servers);
            return;
        }
        if (single && algo == LbAlgorithm::power_of_two && one_loop_per_instance) {
            SupermarketResult sm = supermarket(lambda_w, mu, 2);
            const double g = (1 + cs2) / 2;  // general service: Kingman's factor on the wait
            sm.station.mean_wait_s *= g;
            apply(st, sm.station, sm.wait_second_moment * g * g);
            s.formula = "JSQ(2) supermarket (power of two)";
            if (st.instances < 100)
                model_notes_[s.service] = fmt::format(
                    "{}: the power-of-two-choices model is exact for many instances; over {} it is optimistic (the "
                    "simulator's mean was 8 % higher over 20 instances and 50 % over 4, at rho = 0.9)",
                    s.service, st.instances);
            return;
        }
        // The arrival stream of one instance (its SCV), then of one worker: the cluster master
        // deals every w-th request of its instance to each worker.
        const double rho = lambda_w / mu;
        std::map<std::pair<const Service*, bool>, double> by_dealer;
        for (const Feed& f : st.feeds) by_dealer[{f.lb, f.from_queue}] += f.rate;
        std::vector<Stream> streams;
        std::string how;
        const double n = st.instances;
        for (const auto& [dealer, rate] : by_dealer) {
            const auto& [lb, from_queue] = dealer;
            double scv = 1;  // random, hashing, sticky, consumer slots: a Poisson split
            if (!from_queue && (!lb || lb->lb->algorithm == LbAlgorithm::round_robin)) {
                // Round robin over n instances: every n-th arrival, Erlang-n. Several balancer
                // replicas deal independently: their streams superpose.
                const int replicas = lb ? lb->replicas : 1;
                scv = replicas == 1 ? 1 / n : superposition_scv(std::vector<Stream>(static_cast<std::size_t>(replicas), {1, 1 / n}), rho);
            }
            streams.push_back({rate, scv});
            how = from_queue ? "queue" : lb ? to_string(lb->lb->algorithm) : "round_robin";
        }
        const double instance_scv = streams.size() == 1 ? streams[0].scv : superposition_scv(streams, rho);
        const double ca2 = instance_scv / st.dealt_to;
        StationResult q = gamma_arrivals_m1(lambda_w, mu, ca2);
        if (q.stable && std::abs(cs2 - 1) > 1e-12) {
            // General service: scale the exact exponential-service wait by Kingman's variability
            // factor (c²ₐ + c²ₛ)/(c²ₐ + 1); exact for Poisson arrivals (Pollaczek–Khinchine).
            q.mean_wait_s *= (ca2 + cs2) / (ca2 + 1);
            q.mean_response_s = q.mean_wait_s + 1 / mu;
        }
        apply(st, q);
        const double k = 1 / ca2;
        const std::string arrivals = std::abs(k - std::round(k)) < 1e-9 ? (std::round(k) == 1 ? std::string("M")
                                                                                                : fmt::format("E{:.0f}", k))
                                                                          : fmt::format("GI(c2={:.2f})", ca2);
        s.formula = fmt::format("c x {}/{}/1 per worker ({})", arrivals, std::abs(cs2 - 1) > 1e-12 ? "G" : "M",
                                streams.size() == 1 ? how : "mixed feeds");
    }

    // A queue's consumer slots: M/G/c (M/M/c/K with max_depth) whose service time is the
    // consumer endpoint's whole response time, waits on its dependencies included.
    void solve_consumer_slots() {
        for (Station& st : stations_) {
            if (!st.consumer_of) continue;
            StationReport& s = st.rep;
            s.arrival_rate = st.sum_rate;
            if (st.sum_rate <= 0) continue;
            const QueueSpec& q = *t_.find(s.service)->queue;
            memo_.clear();
            const Moments m = endpoint_time(node_index_.at({q.consumer_service, q.consumer_endpoint}));
            memo_.clear();
            s.mean_service_s = m.mean;
            if (!std::isfinite(m.mean) || !std::isfinite(m.var)) {  // a consumer dependency is overloaded
                s.stable = false;
                s.utilisation = kInf;
                s.mean_wait_s = s.mean_response_s = s.p99_response_s = kInf;
                st.wait_var = kInf;
                continue;
            }
            if (m.mean <= 0) continue;  // consumers that take no time never hold a slot
            s.service_scv = m.var / (m.mean * m.mean);
            apply(st, st.capacity > 0 ? mmck(st.sum_rate, 1 / m.mean, s.servers, st.capacity)
                                      : ggc_allen_cunneen(st.sum_rate, m.mean, s.servers, 1.0, s.service_scv));
        }
    }

    // Zone-weighted network round trip between two services plus transfer time.
    Moments network(const Service& a, const Service& b, double bytes) const {
        if (a.kind == ServiceKind::external || b.kind == ServiceKind::external) return {};
        auto spread = [](const Service& s) {
            std::map<std::string, double> f;
            const auto zones = s.zones.empty() ? std::vector<std::string>{""} : s.zones;
            for (int i = 0; i < s.replicas; ++i) f[zones[static_cast<std::size_t>(i) % zones.size()]] += 1.0 / s.replicas;
            return f;
        };
        double latency = 0, inv_bw = 0;
        for (const auto& [za, fa] : spread(a))
            for (const auto& [zb, fb] : spread(b)) {
                const LinkSpec l = t_.link(za, zb);
                latency += fa * fb * l.latency_s;
                inv_bw += fa * fb / l.bandwidth_bps;
            }
        return {2 * latency + bytes * 8 * inv_bw, 0, 0};
    }

    // Time a caller in `from` spends on a call to `service`/`endpoint` (through its LBs).
    // `from` is nullptr for clients outside the stack, whose network is not modelled.
    Moments call(const Service* from, const std::string& service, const std::string& endpoint, double bytes) {
        Moments m;
        const Service* prev = from;
        for (const Service* s = t_.find(service); s;) {
            if (prev) m = m + network(*prev, *s, bytes);
            if (s->kind == ServiceKind::load_balancer) {
                m = m + station(s->name, "proxy").visit(s->lb->cpu_per_request, 1 / station(s->name, "proxy").speed);
                prev = s;
                s = t_.find(s->lb->backend);
            } else if (s->kind == ServiceKind::external) {
                Moments dep = station(s->name, "dependency").visit(s->external->latency, 1.0);
                dep.fail = 1 - (1 - dep.fail) * (1 - s->external->error_rate);
                return m + dep;
            } else {
                Moments admit;
                admit.fail = station(s->name, "event loop").rep.p_block;
                return m + admit + endpoint_time(node_index_.at({s->name, endpoint}));
            }
        }
        return m;
    }

    // A bulkhead lets `max_concurrent` attempts per calling instance through and fails the
    // rest at once: an M/G/c/c loss system, whose blocking is Erlang B for any call duration.
    Moments bulkhead(const CallPolicy* policy, const Service& self, const Moments& attempt) const {
        if (!policy || !policy->bulkhead || !std::isfinite(attempt.mean)) return attempt;
        const auto it = policy_rate_.find(policy);
        if (it == policy_rate_.end() || it->second <= 0) return attempt;
        const double per_instance = it->second / std::max(1, self.replicas);
        const double blocked = erlang_b(per_instance * attempt.mean, std::max(1, *policy->bulkhead));
        // Blocked attempts fail at once and take no time.
        Moments m = maybe(1 - blocked, attempt);
        m.fail = 1 - (1 - blocked) * (1 - attempt.fail);
        return m;
    }

    Moments endpoint_time(std::size_t node) {
        if (auto it = memo_.find(node); it != memo_.end()) return it->second;
        const Moments m = steps_time(nodes_[node].second->steps, *nodes_[node].first);
        memo_[node] = m;
        return m;
    }

    Moments steps_time(const Steps& steps, const Service& self) {
        Moments total;
        for (const Step& step : steps) {
            total = total + std::visit(
                                [&](const auto& b) -> Moments {
                                    using B = std::decay_t<decltype(b)>;
                                    if constexpr (std::is_same_v<B, CpuStep>) {
                                        const Station& st = station(self.name, "event loop");
                                        Moments cpu = st.visit(b.time, 1 / st.speed);
                                        cpu.fail = 0;  // admission is counted once, at the call
                                        return cpu;
                                    } else if constexpr (std::is_same_v<B, CallStep>) {
                                        if (b.async) return {};
                                        return bulkhead(b.policy.get(), self,
                                                        call(&self, b.service, b.endpoint, b.request_bytes + b.response_bytes));
                                    } else if constexpr (std::is_same_v<B, CacheStep>) {
                                        const Service& c = *t_.find(b.cache);
                                        const Station& st = station(c.name, "commands");
                                        const Moments op = network(self, c, b.value_bytes) + st.visit(c.cache->op_time, 1 / st.speed);
                                        return maybe(1 - l1_hit(b), op + maybe(1 - hit(b), steps_time(b.on_miss, self) + op));
                                    } else if constexpr (std::is_same_v<B, DbStep>) {
                                        const Service& db = *t_.find(b.database);
                                        return bulkhead(b.policy.get(), self,
                                                        network(self, db, 2048) + station(db.name, db_role(db, b.op)).visit(b.query, 1.0));
                                    } else if constexpr (std::is_same_v<B, PublishStep>) {
                                        const Service& q = *t_.find(b.queue);
                                        const Station& st = station(q.name, "broker");
                                        Moments pub = network(self, q, b.payload_bytes) + st.visit(q.queue->publish_time, 1 / st.speed);
                                        if (const Station* slots = find_station(q.name, "consumer slots"))
                                            pub.fail = 1 - (1 - pub.fail) * (1 - slots->rep.p_block);  // queue_full
                                        return pub;
                                    } else {
                                        Moments mixed;
                                        double second = 0;
                                        for (const Branch& br : b.branches) {
                                            const Moments m = steps_time(br.steps, self);
                                            mixed.mean += br.probability * m.mean;
                                            second += br.probability * (m.var + m.mean * m.mean);
                                            mixed.fail += br.probability * m.fail;
                                        }
                                        mixed.var = std::max(0.0, second - mixed.mean * mixed.mean);
                                        return mixed;
                                    }
                                },
                                step.body);
        }
        return total;
    }

    // Quantile of a mixture of gamma-shaped endpoint response times, by bisection on the CDF.
    static double mixture_quantile(const std::vector<std::pair<double, Moments>>& parts, double q) {
        double hi = 0;
        for (const auto& [w, m] : parts) {
            if (!std::isfinite(m.mean) || !std::isfinite(m.var)) return kInf;
            hi = std::max(hi, gamma_quantile(m.mean, m.var, 0.99999));
        }
        if (hi <= 0) return 0;
        auto cdf = [&](double x) {
            double p = 0;
            for (const auto& [w, m] : parts) p += w * (m.mean <= 0 ? 1.0 : gamma_cdf(m.mean, m.var, x));
            return p;
        };
        double lo = 0;
        for (int i = 0; i < 100; ++i) {
            const double mid = 0.5 * (lo + hi);
            (cdf(mid) < q ? lo : hi) = mid;
        }
        return 0.5 * (lo + hi);
    }

    void solve_closed(AnalyticReport& r) {
        // MVA on the queueing stations (per-request demands from the open model at the current
        // throughput, which only moves TTL-driven hit ratios) plus one delay station for the
        // network, dependencies and idle work; iterated to a fixed point in the throughput.
        const Workload& w = e_.workload;
        double x = r.offered_rate;
        MvaResult mva;
        std::vector<std::pair<std::size_t, double>> in_mva;  // station, visits per cycle
        for (int round = 0; round < 20; ++round) {
            std::vector<MvaStation> ms;
            in_mva.clear();
            double queueing_demand = 0;
            // Only what users wait for cycles with them; async work and consumers run beside.
            const std::vector<double> sync = sync_station_rates(r.offered_rate);
            for (std::size_t k = 0; k < stations_.size(); ++k) {
                const Station& st = stations_[k];
                if (st.rep.servers == 0 || sync[k] <= 0 || st.consumer_of) continue;
                const double visits = sync[k] / r.offered_rate;
                ms.push_back({st.rep.service + " " + st.rep.role, visits * st.rep.mean_service_s,
                              std::min(st.rep.servers, w.users)});
                in_mva.emplace_back(k, visits);
                queueing_demand += ms.back().demand_s;
            }
            const double no_load = no_load_response();
            ms.push_back({"network and dependencies", std::max(0.0, no_load - queueing_demand), 0});
            mva = mva_solve(ms, w.users, w.think_time.mean_s);
            const double next = mva.throughput;
            const bool done = std::abs(next - x) <= 1e-9 * std::max(1.0, x) || round == 19;
            x = next;
            if (done) break;
            memo_.clear();
            AnalyticReport scratch;
            solve_open(x, scratch);
            r.offered_rate = x;
        }
        memo_.clear();
        solve_open(x, r);
        // The open model at throughput x gave the demands; MVA gives every queueing station's
        // waits (a closed loop never overloads: its queues hold at most `users`).
        for (std::size_t k = 0; k < in_mva.size(); ++k) {
            Station& st = stations_[in_mva[k].first];
            StationReport& s = st.rep;
            const double visits = in_mva[k].second;
            const double per_visit = visits > 0 ? mva.residence_s[k] / visits : s.mean_service_s;
            // Busy share from every visit, async ones (consumers) included; the waits are the
            // MVA's, which sees only the visits users wait for.
            const double u = std::max(mva.utilisation[k], st.sum_rate * s.mean_service_s / s.servers);
            StationResult q;
            q.utilisation = u;
            q.mean_wait_s = std::max(0.0, per_visit - s.mean_service_s);
            // Shape of the wait: M/M/c's conditional wait given waiting, mean S/(c(1-ρ)), with
            // P(wait) chosen to reproduce MVA's mean (for one server this is exactly ρ).
            const int c = std::min(s.servers, w.users);
            q.p_wait = u >= 1 ? 1.0 : std::min(1.0, q.mean_wait_s * c * (1 - u) / s.mean_service_s);
            apply(st, q);
            s.formula = fmt::format("{} MVA ({} server{})", mva.method, c, c > 1 ? "s" : "");
        }
        memo_.clear();
        r.closed_users = w.users;
        r.closed_think_s = w.think_time.mean_s;
        r.mean_response_s = mva.response_s;
        r.closed_mva_method = mva.method;
        r.notes.push_back(fmt::format("closed workload: throughput, per-station waits and endpoint times by {} MVA ({} users{})",
                                      mva.method, w.users,
                                      r.closed_mva_method == "exact" ? "" : "; error bounds in docs/analytic-model.md"));
    }

    // Mean response over the mix with every wait set to zero (the delay part of the path).
    double no_load_response() {
        std::vector<std::pair<Station*, StationReport>> saved;
        for (Station& st : stations_) {
            saved.emplace_back(&st, st.rep);
            st.rep.mean_wait_s = 0;
            st.wait_var = 0;
        }
        memo_.clear();
        double mean = 0;
        for (const MixEntry& m : e_.workload.mix) mean += m.weight * entry_path(m.endpoint).mean;
        for (auto& [st, rep] : saved) st->rep = rep;
        memo_.clear();
        return mean;
    }

    Moments entry_path(const std::string& endpoint) { return call(nullptr, e_.workload.entry, endpoint, 0); }

    void finish(AnalyticReport& r) {
        const bool closed = e_.workload.type == Workload::Type::closed;
        r.experiment = e_.name;
        r.workload_model = closed ? (r.closed_mva_method == "exact" ? std::string("closed (exact MVA)")
                                                                    : "closed (" + r.closed_mva_method + " approximate MVA)")
                                  : "open (traffic equations, M/G/c stations)";
        memo_.clear();
        std::vector<std::pair<double, Moments>> parts;
        double fail = 0;
        r.stable = true;
        for (const Station& st : stations_) r.stable = r.stable && st.rep.stable;
        for (const MixEntry& m : e_.workload.mix) {
            const Moments path = entry_path(m.endpoint);
            EndpointReport ep;
            ep.endpoint = m.endpoint;
            ep.share = m.weight;
            ep.rate = r.offered_rate * m.weight;
            ep.mean_s = path.mean;
            ep.sd_s = std::sqrt(path.var);
            // An endpoint whose path avoids every overloaded station still has its quantiles.
            const bool bounded = std::isfinite(path.mean) && std::isfinite(path.var);
            ep.p50_s = bounded ? gamma_quantile(path.mean, path.var, 0.50) : kInf;
            ep.p95_s = bounded ? gamma_quantile(path.mean, path.var, 0.95) : kInf;
            ep.p99_s = bounded ? gamma_quantile(path.mean, path.var, 0.99) : kInf;
            ep.error_probability = path.fail;
            fail += m.weight * path.fail;
            parts.emplace_back(m.weight, path);
            r.endpoints.push_back(ep);
        }
        if (!closed) {
            r.mean_response_s = 0;
            for (const auto& [w, m] : parts) r.mean_response_s += w * m.mean;
        }
        r.p95_s = mixture_quantile(parts, 0.95);
        r.p99_s = mixture_quantile(parts, 0.99);
        r.availability = 1 - fail;
        r.throughput = r.offered_rate * r.availability;

        double worst = 0;
        Station* bottleneck = nullptr;
        for (Station& st : stations_) {
            r.stations.push_back(st.rep);
            // An infinite ρ (consumer slots behind an overloaded dependency) names no rate: skip it.
            if (st.rep.servers > 0 && std::isfinite(st.rep.utilisation) && st.rep.utilisation > worst)
                worst = st.rep.utilisation, bottleneck = &st;
        }
        if (bottleneck) {
            r.bottleneck = bottleneck->rep.service + " (" + bottleneck->rep.role + ")";
            r.saturation_rate = r.offered_rate / worst;
            for (auto& s : r.stations) s.bottleneck = s.service == bottleneck->rep.service && s.role == bottleneck->rep.role;
        }
        for (const auto& [step, rate] : cache_rate_) {
            const CacheSpec& spec = *t_.find(step->cache)->cache;
            if (step->l1 && l1_hit(*step) < 1)
                r.caches.push_back({step->cache + " (L1)", cache_user_[step], step->key_space, step->zipf_alpha,
                                    step->l1->ttl_s.value_or(kInf), rate / (1 - l1_hit(*step)), l1_hit(*step)});
            r.caches.push_back({step->cache, cache_user_[step], step->key_space, step->zipf_alpha,
                                step->ttl_s.value_or(spec.default_ttl_s.value_or(kInf)), rate, hit(*step)});
        }
        // cache_rate_ is keyed by step address: order the rows by name so output is reproducible.
        std::stable_sort(r.caches.begin(), r.caches.end(), [](const CacheReport& a, const CacheReport& b) {
            return std::tie(a.cache, a.used_by, a.key_space, a.ttl_s) < std::tie(b.cache, b.used_by, b.key_space, b.ttl_s);
        });
        const DeploymentCost cost = deployment_cost(t_);
        r.cost_per_h = cost.per_hour_usd;
        r.cost_per_month = cost.per_month_usd();
        r.cost_per_million = cost.per_million_requests_usd(r.throughput);

        r.notes.push_back("p95/p99 fit a gamma distribution to each endpoint's mean and variance (sum of "
                          "independent per-hop waits and service times)");
        if (!r.stable) r.notes.push_back("overloaded: at least one station has utilisation >= 1; latencies are unbounded");
        for (const Station& st : stations_) {
            const StationReport& s = st.rep;
            if (!st.consumer_of || s.utilisation < 1 || !std::isfinite(s.mean_service_s) || s.mean_service_s <= 0) continue;
            // Consumers finish c/T messages per second; the rest piles up (or is rejected).
            const double growth = s.arrival_rate - s.servers / s.mean_service_s;
            const auto& q = *t_.find(s.service)->queue;
            r.notes.push_back(fmt::format(
                "queue {}: its {} consumer slots each hold a message for {:.3g} ms, so they finish {:.4g}/s of {:.4g}/s "
                "published{}", s.service, s.servers, 1e3 * s.mean_service_s, s.servers / s.mean_service_s, s.arrival_rate,
                q.max_depth ? fmt::format("; the backlog fills its max_depth of {} in about {:.3g} s, then {:.3g} % of "
                                          "publishes are rejected", *q.max_depth, *q.max_depth / std::max(growth, 1e-12),
                                          100 * s.p_block)
                            : fmt::format("; the backlog grows by {:.4g} messages/s without bound", growth)));
        }
        for (const auto& [service, note] : model_notes_) r.notes.push_back(note);
        if (e_.workload.type == Workload::Type::open && e_.workload.peak_rate_per_s() > r.offered_rate * 1.0001) {
            const double peak = e_.workload.peak_rate_per_s();
            r.notes.push_back(fmt::format("the workload varies over time: this is the steady state at the mean rate; the "
                                          "peak of {:.6g}/s is {:.0f}% of the saturation throughput{}",
                                          peak, 100 * peak / r.saturation_rate,
                                          peak >= r.saturation_rate ? " (the stack overloads at the peak)" : ""));
        }
        if (!e_.chaos.empty()) r.notes.push_back("chaos faults are ignored by the analytic model");
    }
};

}  // namespace

AnalyticReport analyze(const Experiment& e) {
    // The boundary of the analytic model: whatever fails inside (a library's numerical
    // routine, an internal check, memory) becomes one message in the user's words.
    try {
        StackModel model(e);
        double rate = e.workload.type == Workload::Type::open ? e.workload.mean_rate_per_s(e.duration_s) : 0;
        if (e.workload.type == Workload::Type::closed) {
            // Start the MVA fixed point from the think-time-bound throughput.
            rate = e.workload.users / std::max(e.workload.think_time.mean_s, 1e-3);
        }
        return model.run(rate);
    } catch (const AnalysisError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw AnalysisError("the analytic model ran out of memory on this stack; no estimate (the simulator is unaffected)");
    } catch (const std::exception&) {
        throw AnalysisError("the analytic model could not evaluate this stack (a numerical step failed); no estimate. "
                            "The simulator is unaffected; please report the experiment file");
    }
}

}  // namespace stacksim::analytic
