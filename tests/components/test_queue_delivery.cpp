// Queue delivery guarantees end to end (docs/simulation.md, queues): a consumer's failure leaves
// the message unacknowledged; it is delivered again when its visibility timeout expires and,
// after max_deliveries, moved to the dead-letter queue (or dropped without one). Consumer
// failures are counted per queue and error kind.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using stacksim::test_support::simulate_in_child;

namespace {

// The app publishes at 100/s to `jobs`; its consumer calls `pay`.
json run(const std::string& queue_keys, const std::string& pay, bool with_dlq = true) {
    const std::string dlq = with_dlq ? R"(, "dead_letter_queue": "dlq")" : "";
    return simulate_in_child(R"({"duration": "30s", "interval": "1s", "topology": {"zones": ["a"],
      "network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}}, "services": {
        "app": {"kind": "node_service", "machine": "c6i.large", "workers": 2, "endpoints": {"e": {"steps": [{"publish": "jobs"}]}}},
        "jobs": {"kind": "queue", "machine": "m6i.large", "consumer": {"service": "worker", "endpoint": "handle", "concurrency": 1000} )" +
                                 queue_keys + dlq + R"(},
        "dlq": {"kind": "queue", "machine": "m6i.large", "consumer": {"service": "auditor", "endpoint": "log"}},
        "worker": {"kind": "node_service", "machine": "c6i.large", "workers": 2,
                   "endpoints": {"handle": {"steps": [{"cpu": {"dist": "deterministic", "mean": "1ms"}}, {"call": "pay"}]}}},
        "pay": )" + pay + R"(,
        "auditor": {"kind": "node_service", "machine": "c6i.large", "workers": 1,
                    "endpoints": {"log": {"steps": [{"cpu": {"dist": "deterministic", "mean": "1ms"}}]}}}}},
      "workload": {"type": "open", "entry": "app", "rate": "100/s", "mix": {"e": 1}}})",
                             17, "queue");
}

json queue(const json& doc, const std::string& name) {
    for (const json& q : doc["summary"]["queues"])
        if (q["queue"] == name) return q;
    ADD_FAILURE() << "no queue " << name;
    return json::object();
}

double n(const json& q, const char* key) { return q.value(key, 0.0); }

}  // namespace

// The consumer's dependency fails every call. A message is delivered at t, t + 2 s and t + 4 s
// and dead-lettered at t + 6 s: those published in the first 24 s reach the DLQ (Poisson
// tolerance), each after 3 failures and 2 redeliveries. The client requests themselves succeed.
TEST(QueueDelivery, FailedMessagesAreRedeliveredAfterTheVisibilityTimeoutThenDeadLettered) {
    const json doc = run(R"(, "visibility_timeout": "2s", "max_deliveries": 3)",
                         R"({"kind": "external", "latency": {"dist": "deterministic", "mean": "5ms"}, "error_rate": "100%"})");
    const json jobs = queue(doc, "jobs"), dlq = queue(doc, "dlq");
    const double published = n(jobs, "accepted"), dead = n(jobs, "dead_lettered");
    EXPECT_NEAR(published, 3000, 4 * std::sqrt(3000.0));
    EXPECT_NEAR(dead, published * 24 / 30, 4 * std::sqrt(2400.0) * 24 / 30 + 5);
    EXPECT_EQ(n(jobs, "acked"), 0);
    EXPECT_EQ(n(jobs, "dropped"), 0);
    EXPECT_EQ(n(dlq, "accepted"), dead);
    EXPECT_GE(n(jobs, "redelivered"), 2 * dead);
    EXPECT_LE(n(jobs, "redelivered"), 2 * published);
    EXPECT_GE(n(jobs, "consumer_errors"), 3 * dead);
    EXPECT_EQ(jobs["consumer_errors_by_kind"].value("dependency", 0.0), n(jobs, "consumer_errors"));
    EXPECT_EQ(doc["summary"]["errors"].get<std::uint64_t>(), 0u);  // publishing succeeded
    // The dead letters are consumed from the DLQ like any message.
    EXPECT_NEAR(n(dlq, "acked"), dead, 2);
}

// max_deliveries 1: no redelivery; without a dead-letter queue the message is dropped.
TEST(QueueDelivery, WithoutADeadLetterQueueMessagesAreDroppedAfterMaxDeliveries) {
    const json doc = run(R"(, "visibility_timeout": "1s", "max_deliveries": 1)",
                         R"({"kind": "external", "latency": "5ms", "error_rate": "100%"})", false);
    const json jobs = queue(doc, "jobs");
    EXPECT_EQ(n(jobs, "redelivered"), 0);
    EXPECT_EQ(n(jobs, "dead_lettered"), 0);
    EXPECT_NEAR(n(jobs, "dropped"), n(jobs, "accepted") * 29 / 30, 4 * std::sqrt(3000.0) + 5);
    EXPECT_EQ(n(queue(doc, "dlq"), "accepted"), 0);
}

// A consumer slower than the visibility timeout (3 s of work, 1 s timeout) never acknowledges
// in time: each message is delivered again after 1 s and dead-lettered after the second
// delivery, although every handling succeeds. With a 10 s timeout all are acknowledged once.
TEST(QueueDelivery, ConsumersSlowerThanTheVisibilityTimeoutGetDuplicates) {
    const std::string slow = R"({"kind": "external", "latency": {"dist": "deterministic", "mean": "3s"}})";
    const json short_vt = queue(run(R"(, "visibility_timeout": "1s", "max_deliveries": 2)", slow), "jobs");
    const double published = n(short_vt, "accepted");
    EXPECT_EQ(n(short_vt, "acked"), 0);
    EXPECT_EQ(n(short_vt, "consumer_errors"), 0);
    EXPECT_NEAR(n(short_vt, "redelivered"), published * 29 / 30, 4 * std::sqrt(3000.0) + 5);
    EXPECT_NEAR(n(short_vt, "dead_lettered"), published * 28 / 30, 4 * std::sqrt(3000.0) + 5);
    const json long_vt = queue(run(R"(, "visibility_timeout": "10s", "max_deliveries": 2)", slow), "jobs");
    EXPECT_EQ(n(long_vt, "redelivered"), 0);
    EXPECT_EQ(n(long_vt, "dead_lettered"), 0);
    EXPECT_NEAR(n(long_vt, "acked"), n(long_vt, "accepted") * 27 / 30, 4 * std::sqrt(3000.0) + 5);
}
