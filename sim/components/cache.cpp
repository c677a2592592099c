// Cache lookups: a key from the step's popularity, then the worker's in-process L1 (if any),
// then the shard's command thread(s) and its LRU/TTL store; a miss runs the miss path and
// writes the value back (awaited, like a real client), filling the L1 too.
#include "sim/engine/runtime_state.hpp"

namespace stacksim::sim {

LruCache* Runtime::l1_of(Frame* f, const CacheStep& step) {
    if (!step.l1) return nullptr;
    auto& slot = f->worker->l1[&step];
    if (!slot) slot = std::make_unique<LruCache>(step.l1->max_keys, 0);
    return slot.get();
}

void Runtime::cache_step(Frame* f, const CacheStep& step) {
    CacheState& cs = *caches_.at(&step);
    const std::uint64_t key = mix64((cs.population << 40) ^ (*cs.keys)(rng_));
    if (LruCache* l1 = l1_of(f, step)) {
        const bool hit = l1->get(key, Kernel::now());
        rec_.cache_lookup(step.cache + " (L1)", hit);
        if (hit) {
            run(f);  // served from the worker's memory: no network, no shard
            return;
        }
    }
    auto& shards = instances_.at(step.cache);
    Instance& shard = *shards[key % shards.size()];
    const Service& svc = *shard.service;
    const Instance* client = f->worker->instance;
    auto as_miss = [this, f, &step, key] {  // chaos: an unreachable shard reads as a miss, nothing written back
        f->stack.push_back({&step.on_miss, 0, nullptr, key});
        run(f);
    };
    if (unreachable(client, shard)) [[unlikely]] {  // a dead host or a partition: after the connect timeout
        connect_failed([as_miss](bool, ErrorKind) { as_miss(); });
        return;
    }
    kernel_.after(transit(client, &shard, step.value_bytes), [this, f, &step, &shard, &svc, key, client, as_miss] {
        if (shard.down) [[unlikely]] {
            kernel_.after(transit(&shard, client, step.value_bytes), as_miss);
            return;
        }
        // dependency_errors: the command answers an error, which fails the request like any
        // dependency error; dependency_hang delays the answer (sim/chaos/).
        const Injected fault = shard.faulty ? inject(shard, f->request) : Injected{};
        if (fault.error) [[unlikely]] {
            kernel_.after(transit(&shard, client, step.value_bytes), [this, f] { finish(f, false, ErrorKind::dependency); });
            return;
        }
        shard.station->submit(sample(svc.cache->op_time) / shard.core_speed, [this, f, &step, &shard, &svc, key, client,
                                                                              hang_s = fault.hang_s] {
            const auto found = shard.cache->lookup(key, Kernel::now(), step.stale_if_error_s.value_or(0));
            const bool hit = found == LruCache::Lookup::hit;
            rec_.cache_lookup(svc.name, hit);
            kernel_.after(transit(&shard, client, step.value_bytes) + hang_s,
                          [this, f, &step, key, hit, stale = found == LruCache::Lookup::stale] {
                if (!hit) f->stack.push_back({&step.on_miss, 0, &step, key, stale});
                else if (LruCache* l1 = l1_of(f, step)) l1->put(key, step.value_bytes, step.l1->ttl_s.value_or(0), Kernel::now());
                run(f);
            });
        });
    });
}

void Runtime::cache_write_back(Frame* f, const CacheStep& step, std::uint64_t key) {
    auto& shards = instances_.at(step.cache);
    Instance& shard = *shards[key % shards.size()];
    const Service& cs = *shard.service;
    const Instance* client = f->worker->instance;
    const double ttl = step.ttl_s.value_or(cs.cache->default_ttl_s.value_or(0));
    if (unreachable(client, shard)) [[unlikely]] {  // chaos: the write fails after the connect timeout
        connect_failed([this, f](bool, ErrorKind) { run(f); });
        return;
    }
    kernel_.after(transit(client, &shard, step.value_bytes), [this, f, &shard, &cs, &step, key, ttl, client] {
        if (shard.down) [[unlikely]] {  // chaos: the write fails; the request goes on (cache-aside)
            kernel_.after(transit(&shard, client, step.value_bytes), [this, f] { run(f); });
            return;
        }
        // dependency_errors: the SET fails and the request goes on without it (cache-aside);
        // dependency_hang delays its answer.
        const Injected fault = shard.faulty ? inject(shard, f->request) : Injected{};
        if (fault.error) [[unlikely]] {
            kernel_.after(transit(&shard, client, step.value_bytes), [this, f] { run(f); });
            return;
        }
        shard.station->submit(sample(cs.cache->op_time) / shard.core_speed, [this, f, &shard, &step, key, ttl, client, hang_s = fault.hang_s] {
            shard.cache->put(key, step.value_bytes, ttl, Kernel::now());
            if (LruCache* l1 = l1_of(f, step)) l1->put(key, step.value_bytes, step.l1->ttl_s.value_or(0), Kernel::now());
            kernel_.after(transit(&shard, client, step.value_bytes) + hang_s, [this, f] { run(f); });
        });
    });
}

}  // namespace stacksim::sim
