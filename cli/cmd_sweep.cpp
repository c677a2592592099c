// `stacksim sweep`: one `stacksim run` process per point (SimGrid allows one engine per
// process), -j at a time, resumable, shardable. See docs/sweep.md.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/sweep_report.hpp"
#include "model/results/atomic_file.hpp"
#include "model/schema/loader.hpp"
#include "model/sweep/plan.hpp"
#include "model/units/units.hpp"
#include "stacksim/version.hpp"

extern char** environ;

namespace stacksim::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
constexpr int kExitPointFailed = 1;

struct SweepOpts {
    std::string experiment, out, shard;
    std::vector<std::string> params, sets;
    std::optional<std::uint64_t> seed;
    int jobs = 1;
    bool horizontal = false, vertical = false, quiet = false, list = false;
};

struct Job {
    sweep::PointRecord rec;
    std::string hash;          // inputs.hash its results must carry
    double fallback_cost_per_h = sweep::kNaN;
    std::vector<Slo> slos;
};

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int sig) { g_stop = sig; }

std::optional<std::pair<int, int>> parse_shard(const std::string& s) {
    int k = -1, n = 0;
    char slash = 0, rest = 0;
    if (std::sscanf(s.c_str(), "%d%c%d%c", &k, &slash, &n, &rest) != 3 || slash != '/' || n < 1 || k < 0 || k >= n)
        return std::nullopt;
    return std::pair{k, n};
}

// The results document of a finished point: a `run` of exactly these inputs and seed.
std::optional<json> finished_results(const std::string& path, const Job& job, std::uint64_t seed) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path);
    if (!in) return std::nullopt;
    json doc;
    try {
        doc = json::parse(in, nullptr, false);
    } catch (const std::exception&) {  // an I/O error while reading
        return std::nullopt;
    }
    if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "run" || !doc.contains("summary")) return std::nullopt;
    const json inputs = doc.value("inputs", json::object());
    if (inputs.value("overrides", json::array()) != json(job.rec.overrides) || inputs.value("hash", "") != job.hash)
        return std::nullopt;
    if (doc.value("engine", json::object()).value("seed", std::uint64_t{0}) != seed) return std::nullopt;
    return doc;
}

std::string tail_of(const std::string& path, std::size_t lines) {
    std::ifstream in(path);
    std::vector<std::string> all;
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) all.push_back(l);
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += (out.empty() ? "" : "\n") + all[i];
    return out;
}

// Which service a point scales: the preset's, else one named by a topology.services.X override,
// else the service behind the workload entry.
std::string scaled_service(const sweep::PlannedPoint& pp, const Experiment& e) {
    if (e.sweep && pp.strategy == "horizontal" && e.sweep->horizontal) return e.sweep->horizontal->service;
    if (e.sweep && pp.strategy == "vertical" && e.sweep->vertical) return e.sweep->vertical->service;
    const std::string prefix = "topology.services.";
    for (auto it = pp.overrides.rbegin(); it != pp.overrides.rend(); ++it)
        if (it->rfind(prefix, 0) == 0) {
            const std::string rest = it->substr(prefix.size());
            const auto dot = rest.find('.');
            if (dot != std::string::npos && e.topology.find(rest.substr(0, dot))) return rest.substr(0, dot);
        }
    if (e.sweep && e.sweep->horizontal) return e.sweep->horizontal->service;
    const Service* s = e.topology.resolve(e.workload.entry);
    return s ? s->name : "";
}

// Loads the experiment with the point's overrides; fills what the point is, not what it measured.
bool prepare(Job& job, const sweep::PlannedPoint& pp, const SweepOpts& o) {
    schema::Diagnostics diag;
    auto e = schema::load_experiment(o.experiment, pp.overrides, diag);
    if (!e) {
        std::cerr << "point " << pp.id << ":\n" << diag.format();
        return false;
    }
    sweep::PointRecord& r = job.rec;
    r.index = pp.index;
    r.id = pp.id;
    r.strategy = pp.strategy;
    r.overrides = pp.overrides;
    if (e->workload.type == Workload::Type::open && e->workload.rate_per_s > 0) {
        r.load_rps = e->workload.rate_per_s;
        r.load = units::format_rate(e->workload.rate_per_s);
        for (const auto& ov : pp.overrides)
            if (ov.rfind("workload.rate=", 0) == 0) r.load = ov.substr(14);
    }
    r.service = scaled_service(pp, *e);
    if (const Service* s = e->topology.find(r.service)) r.machine = s->machine, r.replicas = s->replicas;
    double cost = 0;
    for (const auto& [name, s] : e->topology.services)
        if (const MachineType* m = e->topology.machines.find(s.machine)) cost += s.replicas * m->price_per_h;
    job.fallback_cost_per_h = cost;
    job.hash = sweep::inputs_hash(e->file, e->topology.file);
    job.slos = e->slos;
    return true;
}

std::string self_exe() {
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) throw std::runtime_error("cannot find the stacksim executable to start points");
    self[n] = '\0';
    return self;
}

pid_t spawn_point(const std::string& self, const SweepOpts& o, const Job& job, const std::string& dir, std::uint64_t seed) {
    std::vector<std::string> args{self, "run", o.experiment, "--quiet", "--replications", "1",
                                  "--out", dir, "--seed", std::to_string(seed)};
    for (const auto& s : job.rec.overrides) args.insert(args.end(), {"--set", s});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const std::string log = dir + "/stderr.txt";
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start a point process: " + std::string(std::strerror(rc)));
    return pid;
}

std::string clock(double s) {
    return s >= 3600 ? fmt::format("{}h{:02}m", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60)
                     : fmt::format("{}m{:02}s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
}

int run_sweep(SweepOpts& o) {
    auto e = load_experiment_or_report(o.experiment, o.sets);
    if (!e) return kExitBadInput;
    auto bad = [&](const std::string& msg) {
        std::cerr << "stacksim sweep: " << msg << "\n";
        return kExitBadInput;
    };
    int shard_k = 0, shard_n = 1;
    if (!o.shard.empty()) {
        const auto s = parse_shard(o.shard);
        if (!s) return bad("--shard expects K/N with 0 <= K < N (0-based, e.g. 0/4), got \"" + o.shard + "\"");
        std::tie(shard_k, shard_n) = *s;
    }
    std::vector<sweep::Param> params;
    for (const auto& text : o.params) {
        std::string err;
        auto p = sweep::parse_param(text, err);
        if (!p) return bad("--param " + err);
        params.push_back(*p);
    }
    bool h = o.horizontal, v = o.vertical;
    if (!h && !v && params.empty() && e->sweep) h = v = true;
    if ((h || v) && !e->sweep)
        return bad(o.experiment + " has no \"sweep\" block; --horizontal and --vertical use its presets (docs/sweep.md)");
    if (o.horizontal && !e->sweep->horizontal) return bad(o.experiment + ": the sweep block has no \"horizontal\" preset");
    if (o.vertical && !e->sweep->vertical) return bad(o.experiment + ": the sweep block has no \"vertical\" preset");
    if (!h && !v && params.empty())
        return bad("nothing to sweep: give --param PATH=v1,v2,... or add a \"sweep\" block to " + o.experiment);
    std::vector<sweep::PlannedPoint> presets;
    if (h || v) presets = sweep::preset_points(*e->sweep, e->topology, h, v);
    const auto plan = sweep::plan(o.sets, presets, params);

    std::vector<Job> jobs(plan.size());
    bool ok = true;
    for (std::size_t i = 0; i < plan.size(); ++i) ok = prepare(jobs[i], plan[i], o) && ok;
    if (!ok) return bad("some points are invalid; nothing was run");
    if (o.out.empty()) o.out = "out/" + (e->name.empty() ? fs::path(o.experiment).stem().string() : e->name) + "-sweep";
    const std::uint64_t seed = o.seed.value_or(e->seed);

    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < plan.size(); ++i)
        if (static_cast<int>(i % static_cast<std::size_t>(shard_n)) == shard_k) mine.push_back(i);
    if (o.list) {
        for (std::size_t i : mine) std::cout << fmt::format("{:<12} {:<10} {:<18} {}\n", plan[i].id, plan[i].strategy, sweep::config_label(jobs[i].rec), jobs[i].rec.load);
        return kExitOk;
    }

    // One sweep (shard) per directory at a time. The lock descriptor is inherited by the point
    // processes, so a killed sweep's leftover children also keep a re-run from starting.
    std::error_code ec;
    try {
        results::ensure_writable_directory(o.out);  // an unwritable --out is not "another sweep"
    } catch (const std::exception& ex) {
        return bad(ex.what());
    }
    const std::string lock_path = fmt::format("{}/.sweep-{}-of-{}.lock", o.out, shard_k, shard_n);
    const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
    if (lock < 0) return bad(lock_path + ": cannot create the sweep's lock file: " + std::strerror(errno));
    if (::flock(lock, LOCK_EX | LOCK_NB) != 0)
        return bad(o.out + ": another sweep of this shard is running there (or the point processes of a killed "
                           "one are still finishing); wait for it or use another --out");

    std::vector<std::size_t> pending;
    std::size_t skipped = 0;
    for (std::size_t i : mine) {
        Job& j = jobs[i];
        const std::string dir = o.out + "/points/" + j.rec.id;
        j.rec.results = "points/" + j.rec.id + "/results.json";
        if (auto doc = finished_results(dir + "/results.json", j, seed)) {
            sweep::measure(j.rec, *doc, j.slos, j.fallback_cost_per_h);
            ++skipped;
        } else {
            fs::remove(dir + "/results.json", ec);  // stale (other inputs) or unreadable: run again
            pending.push_back(i);
        }
    }
    const int width = std::max(1, o.jobs);
    std::cout << fmt::format("sweep {}: {} points{}, {} finished earlier (skipped), {} to run, {} at a time\n",
                             e->name.empty() ? o.experiment : e->name, mine.size(),
                             shard_n > 1 ? fmt::format(" in shard {}/{} (of {})", shard_k, shard_n, plan.size()) : "",
                             skipped, pending.size(), width)
              << std::flush;

    const std::string self = self_exe();
    const bool tty = !o.quiet && ::isatty(STDERR_FILENO);
    struct sigaction sa {}, old_int {}, old_term {};
    sa.sa_handler = on_stop_signal;  // no SA_RESTART: wait() returns EINTR
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    const auto start = std::chrono::steady_clock::now();
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0, done = 0, failed = 0;
    auto progress = [&] {
        if (!tty) return;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double eta = done > 0 ? wall / static_cast<double>(done) * static_cast<double>(pending.size() - done) : 0;
        std::cerr << fmt::format("\r  points {}/{} done ({} skipped), {} failed, {} running, {} elapsed{}   ",
                                 skipped + done, mine.size(), skipped, failed, running.size(), clock(wall),
                                 done > 0 ? ", ETA " + clock(eta) : "")
                  << std::flush;
    };
    while ((next < pending.size() || !running.empty()) && !g_stop) {
        while (next < pending.size() && static_cast<int>(running.size()) < width && !g_stop) {
            const std::size_t i = pending[next++];
            const std::string dir = o.out + "/points/" + jobs[i].rec.id;
            fs::create_directories(dir, ec);
            running[spawn_point(self, o, jobs[i], dir, seed)] = i;
        }
        progress();
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        const auto it = running.find(pid);
        if (it == running.end()) continue;
        Job& j = jobs[it->second];
        running.erase(it);
        ++done;
        const std::string dir = o.out + "/points/" + j.rec.id;
        const auto doc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? finished_results(dir + "/results.json", j, seed)
                                                                       : std::nullopt;
        if (doc) {
            sweep::measure(j.rec, *doc, j.slos, j.fallback_cost_per_h);
        } else {
            ++failed;
            j.rec.status = "failed";
            const std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                                      : fmt::format("killed by signal {}", WTERMSIG(status));
            const std::string tail = tail_of(dir + "/stderr.txt", 5);
            j.rec.error = how + (tail.empty() ? "" : ": " + tail);
        }
    }
    if (tty) {
        progress();
        std::cerr << "\n";
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    if (g_stop) {
        for (const auto& [pid, _] : running) ::kill(pid, SIGTERM);
        for (const auto& [pid, _] : running) ::waitpid(pid, nullptr, 0);
        std::cerr << fmt::format("stacksim sweep: interrupted; {} of {} points finished. Run the same command again to "
                                 "resume.\n", skipped + done - failed, mine.size());
        return 128 + static_cast<int>(g_stop);
    }

    std::vector<sweep::PointRecord> points;
    for (std::size_t i : mine) points.push_back(jobs[i].rec);
    json plan_ids = json::array();
    for (const auto& p : plan) plan_ids.push_back(p.id);
    json param_list = json::array();
    for (const auto& p : params) param_list.push_back({{"path", p.path}, {"values", p.values}});
    json preset_list = json::array();
    if (h) preset_list.push_back("horizontal");
    if (v) preset_list.push_back("vertical");
    json doc{{"stacksim_version", kVersion}, {"kind", "sweep"}, {"name", e->name}, {"experiment", o.experiment},
             {"experiment_hash", sweep::inputs_hash(e->file, e->topology.file)},
             {"question", e->sweep ? e->sweep->question : ""}, {"seed", seed},
             {"sets", o.sets}, {"presets", preset_list}, {"params", param_list},
             {"target_load_rps", e->sweep && e->sweep->target_load ? json(e->sweep->target_load->rate_per_s) : json(nullptr)},
             {"shard", {{"index", shard_k}, {"count", shard_n}}},
             {"plan", {{"points", plan.size()}, {"ids", plan_ids}}}};
    const std::string stem = shard_n > 1 ? fmt::format("sweep-shard-{}-of-{}", shard_k, shard_n) : "sweep";
    const auto analysis = write_sweep_document(doc, points, o.out, stem);
    print_sweep_summary(points, analysis, std::cout);
    if (!doc["question"].get<std::string>().empty() && shard_n == 1) std::cout << "question: " << doc["question"].get<std::string>() << "\n";
    if (shard_n > 1)
        std::cout << fmt::format("shard {}/{} only: join the shards with `stacksim merge {}` (or merge their directories)\n",
                                 shard_k, shard_n, o.out);
    std::cout << fmt::format("sweep:  {}/{}.json\ntable:  {}/{}.csv\npoints: {}/points/<id>/results.json\n", o.out, stem,
                             o.out, stem, o.out);
    if (failed) {
        std::cerr << fmt::format("stacksim sweep: {} of {} points failed:\n", failed, mine.size());
        for (const auto& p : points)
            if (p.status == "failed") std::cerr << "  " << p.id << ": " << p.error << "\n";
        return kExitPointFailed;
    }
    return kExitOk;
}

}  // namespace

void add_sweep(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("sweep", "Run an experiment over a grid of parameters or its horizontal/vertical presets, one process per point");
    auto o = std::make_shared<SweepOpts>();
    cmd->add_option("experiment", o->experiment, "Experiment file")->required();
    cmd->add_option("--param,-p", o->params, "A swept parameter PATH=v1,v2,... (repeat for a grid)");
    cmd->add_flag("--horizontal", o->horizontal, "The sweep block's scale-out preset (loads x replica counts)");
    cmd->add_flag("--vertical", o->vertical, "The sweep block's scale-up preset (loads x machine types)");
    cmd->add_option("--set", o->sets, "Override a value in every point, e.g. --set duration=30s");
    cmd->add_option("--seed", o->seed, "Seed of every point (default: the experiment's)");
    cmd->add_option("-j,--jobs", o->jobs, "Points to run in parallel")->check(CLI::Range(1, 256));
    cmd->add_option("--shard", o->shard, "Run only points with index % N == K (K/N, 0-based)");
    cmd->add_option("--out", o->out, "Output directory (default: out/<experiment name>-sweep)");
    cmd->add_flag("--list", o->list, "Print the points (of this shard) and exit");
    cmd->add_flag("--quiet,-q", o->quiet, "No progress display");
    cmd->callback([o, &exit_code] {
        try {
            exit_code = run_sweep(*o);
        } catch (const std::exception& ex) {
            std::cerr << "stacksim sweep: " << ex.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
