#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>

#include "sim/components/lru_cache.hpp"

using stacksim::sim::LruCache;

namespace {
constexpr double kNoTtl = 0;
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST(LruCache, EvictsLeastRecentlyUsedByKeyCount) {
    LruCache c(3, 0);
    for (std::uint64_t k = 1; k <= 3; ++k) c.put(k, 10, kNoTtl, 0);
    EXPECT_TRUE(c.get(1, 0));  // order now 1, 3, 2 (2 is LRU)
    c.put(4, 10, kNoTtl, 0);
    EXPECT_EQ(c.evictions(), 1u);
    EXPECT_EQ(c.size(), 3u);
    EXPECT_FALSE(c.get(2, 0));
    c.put(5, 10, kNoTtl, 0);  // evicts 3, the LRU of 4, 1, 3
    EXPECT_FALSE(c.get(3, 0));
    EXPECT_TRUE(c.get(1, 0));
    EXPECT_TRUE(c.get(4, 0));
    EXPECT_TRUE(c.get(5, 0));
    EXPECT_EQ(c.evictions(), 2u);
    EXPECT_DOUBLE_EQ(c.bytes(), 30);
}

TEST(LruCache, OverwriteReplacesWithoutEvictingAndRefreshesRecency) {
    LruCache c(2, 0);
    c.put(1, 10, kNoTtl, 0);
    c.put(2, 10, kNoTtl, 0);
    c.put(1, 25, kNoTtl, 0);  // overwrite: 1 becomes MRU, new size
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.evictions(), 0u);
    EXPECT_DOUBLE_EQ(c.bytes(), 35);
    c.put(3, 1, kNoTtl, 0);
    EXPECT_FALSE(c.get(2, 0));
    EXPECT_TRUE(c.get(1, 0));
}

TEST(LruCache, ByteCapacityEvictsUntilTheItemFitsAndSkipsOversizedItems) {
    LruCache c(0, 100);
    c.put(1, 40, kNoTtl, 0);
    c.put(2, 40, kNoTtl, 0);
    c.put(3, 30, kNoTtl, 0);  // 110 > 100: evict 1
    EXPECT_FALSE(c.get(1, 0));
    EXPECT_DOUBLE_EQ(c.bytes(), 70);
    EXPECT_EQ(c.evictions(), 1u);
    c.put(4, 101, kNoTtl, 0);  // larger than the whole cache: not stored, nothing evicted
    EXPECT_FALSE(c.get(4, 0));
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.evictions(), 1u);
    c.put(5, 100, kNoTtl, 0);  // exactly the capacity: everything else goes
    EXPECT_TRUE(c.get(5, 0));
    EXPECT_EQ(c.size(), 1u);
    EXPECT_DOUBLE_EQ(c.bytes(), 100);
    EXPECT_EQ(c.evictions(), 3u);
    // An oversized overwrite drops the old value rather than keep serving it.
    c.put(5, 500, kNoTtl, 0);
    EXPECT_FALSE(c.get(5, 0));
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.bytes(), 0);
}

TEST(LruCache, BothBoundsApplyWhenBothAreGiven) {
    LruCache c(2, 100);
    c.put(1, 10, kNoTtl, 0);
    c.put(2, 10, kNoTtl, 0);
    c.put(3, 10, kNoTtl, 0);  // key bound
    EXPECT_EQ(c.size(), 2u);
    c.put(4, 95, kNoTtl, 0);  // byte bound: 10 + 95 > 100
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.evictions(), 3u);
}

TEST(LruCache, TtlExpiresAtExactlyInsertPlusTtl) {
    LruCache c(10, 0);
    c.put(1, 1, 0.5, 2.0);
    EXPECT_TRUE(c.get(1, 2.0));
    EXPECT_TRUE(c.get(1, std::nextafter(2.5, 0.0)));
    EXPECT_FALSE(c.get(1, 2.5));
    EXPECT_EQ(c.size(), 0u);  // the expired entry is removed...
    EXPECT_EQ(c.evictions(), 0u);  // ...but that is not an eviction
    EXPECT_EQ(c.bytes(), 0);
    c.put(1, 1, 0.5, 3.0);  // re-insert restarts the TTL
    EXPECT_TRUE(c.get(1, 3.25));
}

TEST(LruCache, HitRefreshesRecencyButNotTtl) {
    LruCache c(2, 0);
    c.put(1, 1, 1.0, 0);
    c.put(2, 1, kNoTtl, 0);
    EXPECT_TRUE(c.get(1, 0.9));  // 1 becomes MRU
    c.put(3, 1, kNoTtl, 0.9);    // so 2 is evicted, not 1
    EXPECT_FALSE(c.get(2, 0.9));
    EXPECT_FALSE(c.get(1, 1.0));  // still expires 1 s after insertion despite the hit
}

TEST(LruCache, NonPositiveOrInfiniteTtlNeverExpires) {
    LruCache c(10, 0);
    c.put(1, 1, 0, 0);
    c.put(2, 1, -3, 0);
    c.put(3, 1, kInf, 0);
    for (std::uint64_t k = 1; k <= 3; ++k) EXPECT_TRUE(c.get(k, 1e300));
}

TEST(LruCache, FlushEmptiesTheCacheAndItStaysUsable) {
    LruCache c(0, 1000);
    for (std::uint64_t k = 0; k < 50; ++k) c.put(k, 10, kNoTtl, 0);
    c.flush();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.bytes(), 0);
    for (std::uint64_t k = 0; k < 50; ++k) EXPECT_FALSE(c.get(k, 0));
    c.put(7, 10, kNoTtl, 0);
    EXPECT_TRUE(c.get(7, 0));
    EXPECT_EQ(c.evictions(), 0u);
}

TEST(LruCache, RejectsInvalidArguments) {
    EXPECT_THROW(LruCache(0, 0), std::invalid_argument);
    EXPECT_THROW(LruCache(-1, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    LruCache c(1, 0);
    EXPECT_THROW(c.put(1, -1, 0, 0), std::invalid_argument);
    EXPECT_THROW(c.put(1, std::numeric_limits<double>::quiet_NaN(), 0, 0), std::invalid_argument);
}

// Under the independent reference model with uniform popularity over N keys, a full LRU cache
// of C keys hits with probability exactly C/N on every request, independently of the past
// (the requested key is independent of the cache content), so hits are Binomial(R, C/N).
TEST(LruCache, UniformPopularityHitRatioIsCapacityOverKeys) {
    for (const bool by_bytes : {false, true}) {
        const std::uint64_t keys = 1000, capacity = 150;
        LruCache c(by_bytes ? 0 : capacity, by_bytes ? 10.0 * capacity : 0);
        std::mt19937_64 rng(99);
        std::uniform_int_distribution<std::uint64_t> pick(0, keys - 1);
        const auto request = [&] {
            const std::uint64_t k = pick(rng);
            if (c.get(k, 0)) return true;
            c.put(k, 10, kNoTtl, 0);
            return false;
        };
        while (c.size() < capacity) request();  // warm-up until full
        const int n = 1'000'000;
        double hits = 0;
        for (int i = 0; i < n; ++i) hits += request() ? 1 : 0;
        const double p = static_cast<double>(capacity) / static_cast<double>(keys);
        EXPECT_NEAR(hits / n, p, 5 * std::sqrt(p * (1 - p) / n)) << (by_bytes ? "bytes" : "keys");
        EXPECT_EQ(c.size(), capacity);
    }
}

// stale-if-error: an expired entry is kept (and reported stale) for stale_s past its TTL.
TEST(LruCache, LookupReportsStaleEntriesWithinTheirGraceAndDropsThemAfter) {
    stacksim::sim::LruCache c(10, 0);
    using L = stacksim::sim::LruCache::Lookup;
    c.put(1, 100, 2.0, 0.0);
    EXPECT_EQ(c.lookup(1, 1.0, 5.0), L::hit);
    EXPECT_EQ(c.lookup(1, 2.0, 5.0), L::stale);
    EXPECT_EQ(c.lookup(1, 6.9, 5.0), L::stale);
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.lookup(1, 7.0, 5.0), L::miss);
    EXPECT_EQ(c.size(), 0u);
    c.put(2, 100, 2.0, 0.0);
    EXPECT_FALSE(c.get(2, 3.0));  // get() has no grace
}
