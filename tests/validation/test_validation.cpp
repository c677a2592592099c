// The simulator against exact queueing results. Each case runs one simulation in a child
// process (SimGrid allows one engine per process) and compares with the exact value using a
// 99.9 % confidence interval from batch means (docs/validation.md). A wrong engine fails.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <fstream>

#include "model/analytic/cache_hit.hpp"
#include "model/analytic/mva.hpp"
#include "model/analytic/queueing.hpp"
#include "model/schema/loader.hpp"
#include "sim/engine/simulation.hpp"
#include "tests/support/batch_means.hpp"
#include "tests/support/simulate_in_child.hpp"

using nlohmann::json;
using namespace stacksim;
using test_support::batch_means;
using test_support::Estimate;

namespace {

using test_support::simulate_in_child;

// A stack of one node service "app" (plus `extra` services), no network delay, entry "app".
std::string experiment(const std::string& app, const std::string& workload, const std::string& duration,
                       const std::string& warmup, const std::string& interval, const std::string& extra = "") {
    return R"({"duration": ")" + duration + R"(", "warmup": ")" + warmup + R"(", "interval": ")" + interval +
           R"(", "topology": {"network": {"intra_zone": {"latency": "0", "bandwidth": "1000Tbps"}}, "services": {"app": )" +
           app + extra + R"(}}, "workload": {"entry": "app", "mix": {"e": 1}, )" + workload + "}}";
}

std::string node(const std::string& steps, int workers = 1, const std::string& more = "") {
    return R"({"kind": "node_service", "machine": "c6i.16xlarge", "workers": )" + std::to_string(workers) + more +
           R"(, "endpoints": {"e": {"steps": )" + steps + "}}}";
}


void expect_within(const Estimate& e, double exact, const char* what) {
    EXPECT_NEAR(e.mean, exact, e.half_width) << what << ": simulated " << e.mean << " ± " << e.half_width << ", exact " << exact;
    EXPECT_LT(e.half_width, 0.1 * exact) << what << ": the run is too short to discriminate";
}

}  // namespace

class MM1 : public testing::TestWithParam<double> {};

TEST_P(MM1, MeanAndP99OfTheSojournTime) {
    const double rho = GetParam(), mu = 100, lambda = rho * mu;
    // Batches must be long against the relaxation time, which grows like 1/(1-ρ)².
    const double duration = 600 / ((1 - rho) * (1 - rho)), batch = duration / 60;
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "10ms"}])"),
                                                  R"("type": "open", "rate": ")" + std::to_string(lambda) + R"(/s")",
                                                  std::to_string(duration) + "s", std::to_string(2 * batch) + "s",
                                                  std::to_string(batch) + "s"));
    const double w = 1 / (mu - lambda);
    expect_within(batch_means(doc, "mean_s", 2 * batch), w, "mean response");
    // The M/M/1 sojourn time is exponential: p99 = W ln 100. Per-interval p99s give its CI;
    // the histogram's 1 % bucket resolution is added to the interval.
    Estimate p99 = batch_means(doc, "p99_s", 2 * batch);
    p99.half_width += 0.01 * p99.mean;
    expect_within(p99, w * std::log(100.0), "p99");
    EXPECT_NEAR(doc["summary"]["services"][0]["utilisation"].get<double>(), rho, 0.02);
    EXPECT_NEAR(doc["summary"]["services"][0]["instance_utilisation"][0].get<double>(), rho, 0.02);
}
INSTANTIATE_TEST_SUITE_P(Validation, MM1, testing::Values(0.5, 0.8, 0.9));

TEST(Validation, MMcDatabaseSlots) {
    // 4 query slots, μ = 25/s, λ = 80/s (ρ = 0.8): W = Erlang-C wait + 40 ms.
    const json doc = simulate_in_child(experiment(node(R"([{"db": "db", "op": "read", "query": "40ms"}])", 64),
                                                  R"("type": "open", "rate": "80/s")", "3000s", "100s", "50s",
                                                  R"(, "db": {"kind": "database", "machine": "r6i.large", "concurrency": 4,
                                                      "pool": {"size": 100000}})"));
    const auto exact = analytic::mmc(80, 25, 4);
    expect_within(batch_means(doc, "mean_s", 100), exact.mean_response_s, "M/M/4 response");
}

TEST(Validation, MM1KBlockingProbability) {
    // One worker, accept queue 4 -> M/M/1/5 at ρ = 0.9.
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "10ms"}])", 1, R"(, "accept_queue": 4)"),
                                                  R"("type": "open", "rate": "90/s")", "2000s", "50s", "25s"));
    const double rho = 0.9, p_block = (1 - rho) * std::pow(rho, 5) / (1 - std::pow(rho, 6));
    const json& s = doc["summary"];
    const double blocked = static_cast<double>(s["errors"].get<std::uint64_t>()) /
                           static_cast<double>(s["errors"].get<std::uint64_t>() + s["completed"].get<std::uint64_t>());
    // Batch means of the per-interval blocking fraction.
    json ratio = doc;
    auto& series = ratio["series"];
    series["blocked"] = json::array();
    for (std::size_t i = 0; i < series["t_s"].size(); ++i) {
        const double a = series["errors_rps"][i].get<double>() + series["completed_rps"][i].get<double>();
        series["blocked"].push_back(a > 0 ? series["errors_rps"][i].get<double>() / a : 0.0);
    }
    const Estimate e = batch_means(ratio, "blocked", 50);
    expect_within(e, p_block, "blocking probability");
    EXPECT_NEAR(blocked, p_block, e.half_width);
    EXPECT_EQ(s["errors_by_kind"]["rejected"].get<std::uint64_t>(), s["errors"].get<std::uint64_t>());
}

TEST(Validation, MD1PollaczekKhinchine) {
    // Deterministic 10 ms at λ = 80/s: Wq = ρS / (2(1-ρ)) = 20 ms, W = 30 ms.
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": {"dist": "deterministic", "mean": "10ms"}}])"),
                                                  R"("type": "open", "rate": "80/s")", "2000s", "50s", "25s"));
    expect_within(batch_means(doc, "mean_s", 50), 0.030, "M/D/1 response");
}

TEST(Validation, JacksonNetworkWithFeedback) {
    // 30 % of visits re-enter the worker (async): λ = 70 / 0.7 = 100/s at μ = 200/s, so every
    // visit, and thus every external request, sees an M/M/1 at ρ = 0.5: W = 10 ms.
    const json doc = simulate_in_child(
        experiment(node(R"([{"cpu": "5ms"}, {"branch": [{"p": 0.3, "steps": [{"call": "app", "endpoint": "e", "async": true}]}]}])"),
                   R"("type": "open", "rate": "70/s")", "2000s", "50s", "25s"));
    expect_within(batch_means(doc, "mean_s", 50), 0.010, "per-visit response");
    EXPECT_NEAR(doc["summary"]["services"][0]["utilisation"].get<double>(), 0.5, 0.02);
}

TEST(Validation, ClosedLoopAgainstExactMva) {
    // 5 users, 50 ms think time, one worker with 10 ms exponential CPU.
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "10ms"}])"),
                                                  R"("type": "closed", "users": 5, "think_time": "50ms")", "2000s", "50s", "25s"));
    const auto mva = analytic::mva_exact({{"app", 0.010, 1}}, 5, 0.050);
    expect_within(batch_means(doc, "completed_rps", 50), mva.throughput, "throughput");
    expect_within(batch_means(doc, "mean_s", 50), mva.response_s, "response time");
}

TEST(Validation, LruCacheHitRatioAgainstChe) {
    // Zipf(0.8) over 10,000 keys, room for 1,000: Che's approximation (error far below the
    // interval here: 2e-4 against an exact LRU simulation in tests/model/analytic).
    const json doc = simulate_in_child(
        experiment(node(R"([{"cache": "kv", "keys": 10000, "zipf": 0.8}])", 4),
                   R"("type": "open", "rate": "1000/s")", "600s", "60s", "20s",
                   R"(, "kv": {"kind": "cache", "machine": "r6i.large", "max_keys": 1000, "op_time": "10us"})"));
    json d = doc;
    d["series"]["hit"] = doc["series"]["cache_hit_ratio"]["kv"];
    const double che = analytic::lru_hit_ratio_zipf(0.8, 10000, 1000);
    expect_within(batch_means(d, "hit", 60), che, "hit ratio");
}

TEST(Validation, InProcessL1CacheAgainstChe) {
    // Each of 2 workers keeps 100 of 1,000 uniformly popular keys: L1 hit ratio 10 % (Che is
    // exact for uniform popularity); the shared cache behind it holds everything.
    const json doc = simulate_in_child(
        experiment(node(R"([{"cache": "kv", "keys": 1000, "l1": {"max_keys": 100}}])", 2),
                   R"("type": "open", "rate": "2000/s")", "400s", "40s", "10s",
                   R"(, "kv": {"kind": "cache", "machine": "r6i.large", "max_keys": 5000, "op_time": "10us"})"));
    json d = doc;
    d["series"]["l1"] = doc["series"]["cache_hit_ratio"]["kv (L1)"];
    d["series"]["l2"] = doc["series"]["cache_hit_ratio"]["kv"];
    expect_within(batch_means(d, "l1", 40), 0.10, "L1 hit ratio");
    EXPECT_GT(batch_means(d, "l2", 40).mean, 0.99);
}

namespace {
// Mean arrivals/s over the intervals ending in (from, to], with a 99.9 % interval from the
// Poisson count (variance = mean).
Estimate arrival_rate(const json& doc, double from, double to) {
    double count = 0, span = 0;
    const auto& t = doc["series"]["t_s"];
    const double dt = doc["series"]["t_s"][1].get<double>() - doc["series"]["t_s"][0].get<double>();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].get<double>() > from + 1e-9 && t[i].get<double>() <= to + 1e-9) {
            count += doc["series"]["arrivals_rps"][i].get<double>() * dt;
            span += dt;
        }
    return {count / span, 3.29 * std::sqrt(count) / span};
}
}  // namespace

TEST(Validation, ArrivalProfileStepsAndRamps) {
    // 100/s, a step to 300/s at 100 s, then a ramp to 500/s reached at 200 s.
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "100us"}])", 16),
        R"("type": "open", "rate": "100/s", "profile": [{"at": "100s", "rate": "300/s"}, {"at": "200s", "rate": "500/s", "ramp": true}])",
        "300s", "0s", "10s"));
    expect_within(arrival_rate(doc, 0, 100), 100, "before the step");
    expect_within(arrival_rate(doc, 100, 200), 400, "during the ramp (mean of 300 -> 500)");
    expect_within(arrival_rate(doc, 200, 300), 500, "after the ramp");
}

TEST(Validation, MmppBurstsHaveTheirMeanRate) {
    // Calm 100/s for 20 s on average, bursts of 1000/s for 5 s: mean (100·20 + 1000·5) / 25 = 280/s.
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "100us"}])", 16),
        R"("type": "open", "rate": "100/s", "arrivals": "mmpp", "mmpp": {"burst_rate": "1000/s", "burst_mean": "5s", "calm_mean": "20s"})",
        "20000s", "0s", "500s"));
    expect_within(batch_means(doc, "arrivals_rps", 0), 280, "MMPP mean rate");
}

TEST(Validation, DiurnalAndFlashCrowdShapes) {
    const json day = simulate_in_child(experiment(node(R"([{"cpu": "100us"}])", 16),
        R"("type": "open", "rate": "200/s", "arrivals": "diurnal", "diurnal": {"amplitude": 0.5, "period": "400s"})",
        "400s", "0s", "10s"));
    expect_within(arrival_rate(day, 0, 400), 200, "diurnal mean over a period");
    expect_within(arrival_rate(day, 0, 200), 200 * (1 + 0.5 * 2 / 3.14159265358979), "diurnal upper half-period");
    const json flash = simulate_in_child(experiment(node(R"([{"cpu": "100us"}])", 16),
        R"("type": "open", "rate": "100/s", "arrivals": "flash_crowd", "flash_crowd": {"at": "100s", "peak": "1000/s", "rise": "10s", "decay": "50s"})",
        "400s", "0s", "10s"));
    expect_within(arrival_rate(flash, 0, 100), 100, "before the flash crowd");
    // Rise 100 -> 1000 over 10 s: mean 550/s.
    expect_within(arrival_rate(flash, 100, 110), 550, "rise");
}

TEST(Validation, TraceReplayReproducesTheTimestamps) {
    const std::string trace = testing::TempDir() + "/trace.csv";
    {
        std::ofstream out(trace);
        out << "timestamp_s,comment\n";
        for (int i = 0; i < 1000; ++i) out << 0.05 * i << ",x\n";  // 20/s for 50 s
    }
    const json doc = simulate_in_child(experiment(node(R"([{"cpu": "100us"}])", 4),
        R"("type": "open", "arrivals": "trace", "trace": ")" + trace + R"(")", "100s", "0s", "10s"));
    EXPECT_EQ(doc["summary"]["arrivals"].get<std::uint64_t>(), 1000u);
    EXPECT_DOUBLE_EQ(doc["series"]["arrivals_rps"][0].get<double>(), 20.0);
    EXPECT_DOUBLE_EQ(doc["series"]["arrivals_rps"][6].get<double>(), 0.0);
}
