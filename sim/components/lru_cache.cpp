#include "sim/components/lru_cache.hpp"

#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace stacksim::sim {

LruCache::LruCache(double capacity_keys, double capacity_bytes)
    : capacity_keys_(capacity_keys), capacity_bytes_(capacity_bytes) {
    // Either bound may be absent (<= 0), not both: an unbounded cache is a modelling error.
    if (!(capacity_keys_ > 0) && !(capacity_bytes_ > 0))
        throw std::invalid_argument("LruCache: capacity_keys or capacity_bytes must be > 0");
}

void LruCache::erase(std::list<Entry>::iterator it) {
    bytes_ -= it->bytes;
    map_.erase(it->key);
    order_.erase(it);
    if (map_.empty()) bytes_ = 0;  // drop accumulated floating-point drift
}

bool LruCache::get(std::uint64_t key, double now_s) { return lookup(key, now_s, 0) == Lookup::hit; }

LruCache::Lookup LruCache::lookup(std::uint64_t key, double now_s, double stale_s) {
    const auto found = map_.find(key);
    if (found == map_.end()) return Lookup::miss;
    const auto it = found->second;
    // An entry lives for [insert, insert + ttl): at exactly insert + ttl it is gone (or stale).
    if (now_s >= it->expires_s) {
        if (now_s < it->expires_s + stale_s) return Lookup::stale;
        erase(it);
        return Lookup::miss;
    }
    order_.splice(order_.begin(), order_, it);  // recency only; expires_s is left alone
    return Lookup::hit;
}

void LruCache::put(std::uint64_t key, double bytes, double ttl_s, double now_s) {
    if (!(bytes >= 0) || !std::isfinite(bytes)) throw std::invalid_argument("LruCache::put: bytes must be finite and >= 0");
    // An overwrite replaces the old value even if the new one cannot be stored: never serve stale data.
    if (const auto found = map_.find(key); found != map_.end()) erase(found->second);
    const bool by_keys = capacity_keys_ > 0, by_bytes = capacity_bytes_ > 0;
    if ((by_bytes && bytes > capacity_bytes_) || (by_keys && capacity_keys_ < 1)) return;  // can never fit
    // Expired entries are removed lazily (on get, or by LRU eviction), like Redis's passive expiry;
    // they still occupy space until then.
    while (!order_.empty() && ((by_keys && static_cast<double>(map_.size()) + 1 > capacity_keys_) ||
                               (by_bytes && bytes_ + bytes > capacity_bytes_))) {
        erase(std::prev(order_.end()));
        ++evictions_;
    }
    const double expires = ttl_s > 0 ? now_s + ttl_s : std::numeric_limits<double>::infinity();  // inf, NaN: none
    order_.push_front(Entry{key, bytes, expires});
    map_.emplace(key, order_.begin());
    bytes_ += bytes;
}

void LruCache::flush() {
    order_.clear();
    map_.clear();
    bytes_ = 0;
}

}  // namespace stacksim::sim
