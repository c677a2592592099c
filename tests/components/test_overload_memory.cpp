// Memory stays flat in simulated duration under any overload (DESIGN.md, Performance): a load
// balancer offered 10x its capacity refuses connections past max_connections instead of queueing
// without bound. Measured in a child process (one SimGrid engine per process) from its resident
// set (/proc/self/statm) and from the requests in flight, at two simulated times; not timed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "model/schema/loader.hpp"
#include "sim/engine/simulation.hpp"

using nlohmann::json;

namespace {

long resident_bytes() {
    long pages_total = 0, pages_resident = 0;
    std::ifstream("/proc/self/statm") >> pages_total >> pages_resident;
    return pages_resident * ::sysconf(_SC_PAGESIZE);
}

// Simulates `experiment_json` in a child and returns {t_s: [resident bytes, requests in flight]}
// sampled as the metric intervals at `at_s` close.
json memory_in_child(const std::string& experiment_json, const std::vector<double>& at_s) {
    const std::string path = testing::TempDir() + "/overload_" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << experiment_json;
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        stacksim::schema::Diagnostics diag;
        auto e = stacksim::schema::load_experiment(path, {}, diag);
        if (!e) ::_exit(4);
        json samples = json::object();
        stacksim::sim::RunOptions opt{3, 0, {}};
        opt.on_interval = [&](const json& row) {
            const double t = row["t_s"].get<double>();
            for (double want : at_s)
                if (std::abs(t - want) < 1e-6) samples[std::to_string(static_cast<int>(want))] = {resident_bytes(), row["in_flight"]};
        };
        stacksim::sim::simulate(*e, opt);
        const std::string out = samples.dump();
        if (::write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size())) ::_exit(3);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t r; (r = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return json::parse(text);
}

}  // namespace

// 200 k requests/s at a proxy that serves 20 k/s (2 vCPUs, fixed 100 us): without a bound its
// queue would grow by 180 k requests per simulated second (~80 MB/s). With max_connections
// 1000 the requests in flight stay at the limit and the resident set does not grow between
// 6 s and 12 s (a 10 % + 8 MiB allowance for allocator noise; unbounded growth would be ~480 MB).
TEST(OverloadMemory, OverloadedLoadBalancerMemoryIsFlatInSimulatedDuration) {
    const json m = memory_in_child(R"({"duration": "12s", "interval": "1s", "topology": {"zones": ["a"], "services": {
        "lb": {"kind": "load_balancer", "machine": "c6i.large", "backend": "app", "max_connections": 1000,
               "cpu_per_request": {"dist": "deterministic", "mean": "100us"}},
        "app": {"kind": "node_service", "machine": "c6i.4xlarge", "replicas": 2, "endpoints": {"e": {"steps": [{"cpu": "50us"}]}}}}},
      "workload": {"type": "open", "entry": "lb", "rate": "200k/s", "mix": {"e": 1}}})",
                                   {6, 12});
    ASSERT_TRUE(m.contains("6") && m.contains("12")) << m.dump();
    const double rss6 = m["6"][0].get<double>(), rss12 = m["12"][0].get<double>();
    EXPECT_LE(rss12, rss6 * 1.1 + 8 * 1048576.0) << "resident set grew from " << rss6 << " to " << rss12 << " bytes";
    EXPECT_LE(m["6"][1].get<double>(), 1000);
    EXPECT_LE(m["12"][1].get<double>(), 1000);
}
