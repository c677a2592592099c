#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/run_report.hpp"
#include "model/analytic/stack_model.hpp"
#include "model/check/gate.hpp"
#include "model/results/atomic_file.hpp"
#include "model/steady/assessment.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/random/sampler.hpp"
#include "stacksim/version.hpp"

extern char** environ;

namespace stacksim::cli {
namespace {

struct RunOpts {
    std::string experiment, out;
    std::vector<std::string> sets;
    std::optional<std::uint64_t> seed;
    std::optional<int> replications;
    int jobs = 1;
    bool quiet = false;
    bool progress_jsonl = false;
    int replication_index = -1;  // set for child processes
};

std::uint64_t fnv1a(const std::string& path, std::uint64_t h = 1469598103934665603ULL) {
    std::ifstream in(path, std::ios::binary);
    char c;
    while (in.get(c)) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
}

class ProgressBar {
public:
    explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
    void operator()(double sim_s, double end_s, std::uint64_t events) {
        if (!enabled_) return;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double frac = end_s > 0 ? std::min(1.0, sim_s / end_s) : 1.0;
        const int filled = static_cast<int>(frac * 30);
        const double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
        std::cerr << fmt::format("\r  [{}{}] {:3.0f}%  sim {:.0f}/{:.0f}s  wall {:.1f}s  {:.3g} events/s  ETA {:.0f}s   ",
                                 std::string(static_cast<std::size_t>(filled), '#'), std::string(static_cast<std::size_t>(30 - filled), '.'),
                                 100 * frac, sim_s, end_s, wall, wall > 0 ? static_cast<double>(events) / wall : 0.0, eta)
                  << std::flush;
        if (frac >= 1) std::cerr << "\n";
    }

private:
    bool enabled_;
    std::chrono::steady_clock::time_point start_;
};

// --progress-jsonl: one JSON object per line on stderr, flushed, for a GUI or a script
// watching the run (docs/cli.md). Lines that do not parse as JSON are error messages.
void emit_jsonl(const nlohmann::json& line) { std::cerr << line.dump() << '\n' << std::flush; }

nlohmann::json inputs_json(const Experiment& e, const std::string& experiment, const std::vector<std::string>& sets) {
    return {{"experiment", experiment},
            {"topology", e.topology.file},
            {"overrides", sets},
            {"hash", fmt::format("{:016x}", fnv1a(e.topology.file, fnv1a(e.file)))}};
}

int run_one(const Experiment& e, const RunOpts& o, std::uint64_t seed) {
    const auto doc = simulate_and_write(e, {o.experiment, o.sets, o.out, o.progress_jsonl}, seed, std::max(0, o.replication_index), !o.quiet);
    if (o.replication_index < 0) {
        print_run_summary(doc, std::cout);
        std::cout << "results: " << o.out << "/results.json\nseries:  " << o.out << "/series.csv\n";
    }
    return kExitOk;
}

// Seeds are documented as 0 – 2^53 − 1 (exact in a JSON double, so a reader in any language
// can pass one back); a replication's independent stream keeps the low 53 bits.
constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 53) - 1;
std::uint64_t replication_seed(std::uint64_t seed, int i) {
    return i == 0 ? seed : sim::stream_seed(seed, static_cast<std::uint64_t>(i)) & kMaxSeed;
}

nlohmann::json pooled_steady_state(const std::vector<nlohmann::json>& runs) {
    std::vector<nlohmann::json> blocks;
    for (const auto& r : runs) blocks.push_back(r.value("steady_state", nlohmann::json::object()));
    return steady::pool(blocks);
}

int run_replications(const Experiment& e, const RunOpts& o, std::uint64_t seed, int reps) {
    // One SimGrid engine per process: each replication is a child `stacksim run`.
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) throw std::runtime_error("cannot find the stacksim executable to start replications");
    self[n] = '\0';
    std::vector<pid_t> running;
    std::vector<std::string> dirs;
    int next = 0, done = 0, failed = 0;
    const bool tty = !o.quiet && ::isatty(STDERR_FILENO);
    auto spawn = [&](int i) {
        const std::string dir = o.out + "/rep-" + std::to_string(i);
        dirs.push_back(dir);
        std::vector<std::string> args{self, "run", o.experiment, "--quiet", "--replications", "1", "--out", dir,
                                      "--seed", std::to_string(replication_seed(seed, i)),
                                      "--replication-index", std::to_string(i)};
        for (const auto& s : o.sets) args.insert(args.end(), {"--set", s});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        if (::posix_spawn(&pid, self, nullptr, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start a replication process");
        running.push_back(pid);
    };
    while (done < reps) {
        while (next < reps && static_cast<int>(running.size()) < std::max(1, o.jobs)) spawn(next++);
        int status = 0;
        const pid_t pid = ::wait(&status);
        if (pid < 0) break;
        std::erase(running, pid);
        ++done;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
        if (tty) std::cerr << fmt::format("\r  replications {}/{} done ({} running)   ", done, reps, running.size()) << std::flush;
    }
    if (tty) std::cerr << "\n";
    if (failed) {
        std::cerr << o.experiment << ": " << failed << " of " << reps << " replications failed\n";
        return kExitBadInput;
    }
    std::vector<nlohmann::json> runs;
    for (int i = 0; i < reps; ++i) {
        std::ifstream in(o.out + "/rep-" + std::to_string(i) + "/results.json");
        runs.push_back(nlohmann::json::parse(in));
    }
    nlohmann::json doc{{"stacksim_version", kVersion}, {"kind", "replications"}, {"name", e.name},
                       {"inputs", inputs_json(e, o.experiment, o.sets)}, {"seed", seed}, {"replications", reps},
                       {"runs", dirs}, {"aggregate", aggregate_replications(runs)}, {"slos", check::pool_slos(runs)},
                       {"steady_state", pooled_steady_state(runs)},
                       {"cost", runs.front().value("cost", nlohmann::json())},
                       {"analytic", runs.front()["analytic"]}};
    steady::mark_slos(doc["slos"], doc["steady_state"]);
    // A series.csv left by an earlier single run in this folder would sit beside the pooled
    // document as if it were its series; each replication's own is in rep-*/.
    results::write_files_atomically({{o.out + "/results.json", doc.dump(1) + "\n"}}, {o.out + "/series.csv"});
    print_replication_summary(doc, std::cout);
    std::cout << "results: " << o.out << "/results.json (and rep-*/ per replication)\n";
    return kExitOk;
}

}  // namespace

nlohmann::json simulate_and_write(const Experiment& e, const RunTarget& target, std::uint64_t seed, int replication,
                                  bool progress) {
    results::ensure_writable_directory(target.out);  // `check EXPERIMENT` comes here directly
    ProgressBar bar(progress && ::isatty(STDERR_FILENO));
    sim::RunOptions ro;
    ro.seed = seed;
    ro.replication = replication;
    ro.progress = [&bar](double s, double end, std::uint64_t ev) { bar(s, end, ev); };
    if (target.progress_jsonl) {
        emit_jsonl({{"event", "start"}, {"name", e.name}, {"experiment", target.experiment}, {"duration_s", e.duration_s},
                    {"warmup_s", e.warmup_s}, {"interval_s", e.interval_s}, {"seed", seed}});
        ro.progress = [](double s, double end, std::uint64_t ev) {
            emit_jsonl({{"event", "progress"}, {"sim_s", s}, {"end_s", end}, {"events", ev}});
        };
        ro.on_interval = [](const nlohmann::json& row) {
            nlohmann::json line{{"event", "interval"}};
            line.update(row);
            emit_jsonl(line);
        };
    }
    auto out = sim::simulate(e, ro);
    nlohmann::json doc{{"stacksim_version", kVersion}, {"kind", "run"}, {"name", e.name},
                       {"inputs", inputs_json(e, target.experiment, target.sets)}, {"duration_s", e.duration_s},
                       {"warmup_s", e.warmup_s}, {"interval_s", e.interval_s}};
    doc.update(out.results);
    try {
        doc["analytic"] = analytic::to_json(analytic::analyze(e));
    } catch (const std::exception& ex) {
        doc["analytic"] = {{"error", ex.what()}};
    }
    // The pair is replaced as a unit: a full disk leaves the previous run's pair intact.
    results::write_files_atomically({{target.out + "/series.csv", out.series_csv},
                                     {target.out + "/results.json", doc.dump(1) + "\n"}});
    if (target.progress_jsonl) emit_jsonl({{"event", "done"}, {"results", target.out + "/results.json"}});
    return doc;
}

void add_run(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("run", "Simulate an experiment on SimGrid and write its results document");
    auto o = std::make_shared<RunOpts>();
    cmd->add_option("experiment", o->experiment, "Experiment file")->required();
    cmd->add_option("--seed", o->seed, "Random seed (default: the experiment's)");
    cmd->add_option("--replications,-r", o->replications, "Independent replications, each its own process (default: the experiment's)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("-j,--jobs", o->jobs, "Replications to run in parallel")->check(CLI::Range(1, 256));
    cmd->add_option("--set", o->sets, "Override a value, e.g. --set workload.rate=2M/min");
    cmd->add_option("--out", o->out, "Output directory (default: out/<experiment name>)");
    cmd->add_flag("--quiet,-q", o->quiet, "No progress display");
    cmd->add_flag("--progress-jsonl", o->progress_jsonl,
                  "Machine-readable progress on stderr: one JSON object per line (start, progress, interval rows, done)");
    cmd->add_option("--replication-index", o->replication_index, "internal: set for replication child processes")
        ->group("");
    cmd->callback([o, &exit_code] {
        auto e = load_experiment_or_report(o->experiment, o->sets);
        if (!e) {
            exit_code = kExitBadInput;
            return;
        }
        if (o->out.empty())
            o->out = "out/" + (e->name.empty() ? std::filesystem::path(o->experiment).stem().string() : e->name);
        if (o->replication_index < 0) note_unsimulated_faults(*e, o->experiment, std::cerr);
        const std::uint64_t seed = o->seed.value_or(e->seed);
        if (seed > kMaxSeed) {
            std::cerr << o->experiment << ": --seed " << seed << " is above the largest seed, 2^53 - 1 = " << kMaxSeed << "\n";
            exit_code = kExitBadInput;
            return;
        }
        const int reps = o->replications.value_or(e->replications);
        if (o->progress_jsonl && reps > 1) {
            std::cerr << o->experiment << ": --progress-jsonl follows one replication; use -r 1\n";
            exit_code = kExitBadInput;
            return;
        }
        try {
            results::ensure_writable_directory(o->out);  // before the simulation, not after it
            exit_code = reps > 1 ? run_replications(*e, *o, seed, reps) : run_one(*e, *o, seed);
        } catch (const std::exception& ex) {
            std::cerr << o->experiment << ": " << ex.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
