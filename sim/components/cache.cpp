// Cache lookups: a key from the step's popularity, the shard's command thread(s), the LRU/TTL
// store; misses run the miss path, then write the value back.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

void Runtime::cache_step(Frame* f, const CacheStep& step) {
    CacheState& cs = *caches_.at(&step);
    const std::uint64_t key = mix64((cs.population << 40) ^ (*cs.keys)(rng_));
    auto& shards = instances_.at(step.cache);
    Instance& shard = *shards[key % shards.size()];
    const Service& svc = *shard.service;
    const double one_way = hop(f->worker->instance, &shard, step.value_bytes);
    kernel_.after(one_way, [this, f, &step, &shard, &svc, key, one_way] {
        shard.station->submit(sample(svc.cache->op_time), [this, f, &step, &shard, &svc, key, one_way] {
            const bool hit = shard.cache->get(key, Kernel::now());
            rec_.cache_lookup(svc.name, hit);
            kernel_.after(one_way, [this, f, &step, key, hit] {
                if (!hit) f->stack.push_back({&step.on_miss, 0, &step, key});
                run(f);
            });
        });
    });
}

}  // namespace stacksim::sim
