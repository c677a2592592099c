#pragma once
// Runs a simulation in a forked child (SimGrid allows one engine per process) and returns its
// results document; used by every test suite that simulates (validation, chaos, resilience,
// control). Failures to load or simulate are reported as test failures, not crashes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "model/schema/loader.hpp"
#include "sim/engine/simulation.hpp"

namespace stacksim::test_support {

inline nlohmann::json simulate_file_in_child(const std::string& path, std::uint64_t seed = 7) {
    using nlohmann::json;
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        schema::Diagnostics diag;
        auto e = schema::load_experiment(path, {}, diag);
        std::string out = e ? sim::simulate(*e, {seed, 0, {}}).results.dump() : "{\"error\": " + json(diag.format()).dump() + "}";
        for (std::size_t off = 0; off < out.size();) {
            const ssize_t w = ::write(fds[1], out.data() + off, out.size() - off);
            if (w <= 0) ::_exit(3);
            off += static_cast<std::size_t>(w);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buf[65536];
    for (ssize_t r; (r = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    json doc = json::parse(text);
    EXPECT_FALSE(doc.contains("error")) << doc["error"].dump();
    return doc;
}

// Writes the experiment to a file unique to this process (`tag` names the suite) and simulates it.
inline nlohmann::json simulate_in_child(const std::string& experiment_json, std::uint64_t seed = 7,
                                        const std::string& tag = "sim") {
    static int n = 0;
    const std::string path =
        testing::TempDir() + "/" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".json";
    std::ofstream(path) << experiment_json;
    return simulate_file_in_child(path, seed);
}

}  // namespace stacksim::test_support
