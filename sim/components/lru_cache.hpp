#pragma once
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

// The data structure of a Redis-like cache: LRU eviction by key count or by bytes, and a TTL
// per entry (expiry after insertion; hits do not refresh). O(1) per operation. Pure logic, no
// SimGrid: the cache component wraps it with service time and network.
namespace stacksim::sim {

class LruCache {
public:
    // capacity_keys > 0 bounds the number of keys, capacity_bytes > 0 bounds the bytes; one of them.
    LruCache(double capacity_keys, double capacity_bytes);

    // True on a hit (present and not expired at `now_s`); a hit moves the key to the front.
    // An expired entry is removed and counts as a miss.
    bool get(std::uint64_t key, double now_s);
    // get() that keeps an expired entry for stale_s past its expiry (RFC 5861 stale-if-error):
    // such an entry is reported `stale` (a miss that may be served if the origin fails).
    enum class Lookup { miss, hit, stale };
    Lookup lookup(std::uint64_t key, double now_s, double stale_s);
    // Inserts or overwrites; evicts least recently used entries until it fits.
    // ttl_s <= 0 or infinite: no expiry.
    void put(std::uint64_t key, double bytes, double ttl_s, double now_s);
    void flush();  // chaos: cache_flush

    [[nodiscard]] std::size_t size() const { return map_.size(); }
    [[nodiscard]] double bytes() const { return bytes_; }
    [[nodiscard]] std::uint64_t evictions() const { return evictions_; }

private:
    struct Entry {
        std::uint64_t key;
        double bytes, expires_s;
    };
    double capacity_keys_, capacity_bytes_, bytes_ = 0;
    std::uint64_t evictions_ = 0;
    std::list<Entry> order_;  // front = most recently used
    std::unordered_map<std::uint64_t, std::list<Entry>::iterator> map_;
    void erase(std::list<Entry>::iterator it);
};

}  // namespace stacksim::sim
