#include "sim/engine/simulation.hpp"

#include <simgrid/s4u.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "model/cost/deployment_cost.hpp"
#include "model/slo/fault_slo_impact.hpp"
#include "model/slo/slo_report.hpp"
#include "model/steady/assessment.hpp"
#include "sim/chaos/fault_injector.hpp"
#include "sim/control/control_plane.hpp"
#include "sim/control/deployer.hpp"
#include "sim/engine/kernel.hpp"
#include "sim/engine/runtime.hpp"
#include "sim/metrics/recorder.hpp"
#include "sim/workload/workload.hpp"

namespace stacksim::sim {
namespace sg4 = simgrid::s4u;

namespace {

// SimGrid settings chosen for speed (docs/simulation.md): raw contexts are the cheapest
// actor switch; the CPU model is the default Cas01 with lazy updates; no network model is
// exercised because network delays are computed per hop; logging is silenced.
std::vector<std::string> engine_args() {
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer cannot follow raw context switches (false reports); threads it can.
    const char* factory = "--cfg=contexts/factory:thread";
#else
    const char* factory = "--cfg=contexts/factory:raw";
#endif
    return {"stacksim", factory, "--cfg=cpu/optim:Lazy", "--log=root.thres:critical", "--cfg=contexts/stack-size:128"};
}

// k x interval rounded to the nanosecond: interval ends print as 30.2, not 30.200000000000003.
double on_grid(double t_s) { return std::round(t_s * 1e9) / 1e9; }

}  // namespace

RunOutput simulate(const Experiment& e, const RunOptions& opt) {
    std::vector<std::string> args = engine_args();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    int argc = static_cast<int>(argv.size());
    sg4::Engine engine(&argc, argv.data());

    Kernel kernel(opt.seed, e.duration_s);
    Recorder recorder(e);
    Runtime runtime(e, kernel, recorder);
    for (const auto& [name, list] : runtime.instances()) {
        const Service& s = *list.front()->service;
        if (s.kind == ServiceKind::external && !s.external->concurrency) continue;
        std::function<int()> servers_now;
        const bool deployed = std::any_of(e.deploys.begin(), e.deploys.end(), [&](const Deploy& d) { return d.service == name; });
        if ((s.node && s.node->autoscaling) || deployed) {  // utilisation of the instances that exist, not of max
            servers_now = [&list, per = runtime.instance_servers(name)] {
                int n = 0;
                for (std::size_t i = 0; i < list.size(); ++i) n += list[i]->phase != Instance::Phase::stopped ? per[i] : 0;
                return n;
            };
        }
        Recorder::Probe probe{name, to_string(s.kind), [&runtime, n = name] { return runtime.busy_seconds(n); },
                              runtime.capacity_servers(name), [&runtime, n = name] { return runtime.queue_depth(n); },
                              [&runtime, n = name] { return runtime.instance_busy_seconds(n); },
                              runtime.instance_servers(name), std::move(servers_now)};
        if (s.kind == ServiceKind::node_service) {
            probe.occupied_s = [&runtime, n = name] { return runtime.occupied_seconds(n); };
            probe.workers = runtime.worker_count(name);
        }
        recorder.add_probe(std::move(probe));
    }
    Workload workload(e, kernel, runtime);
    workload.start();
    FaultInjector chaos(e, kernel, runtime, recorder);
    chaos.start();
    ControlPlane control(e, kernel, runtime, recorder);
    control.start();
    Deployer deployer(e, kernel, runtime, recorder);
    deployer.start();

    const auto wall0 = std::chrono::steady_clock::now();
    auto last_report = wall0;
    // Progress goes by the wall clock (~10 reports a second, docs/cli.md), not by metric
    // intervals: at extreme loads one interval can take half a minute. Checked on every 64th
    // advance of the simulated clock, so the cost is one counter increment per advance.
    // The signal is process-wide and cannot be disconnected: it is connected once and calls
    // the hook of the run in progress, which is cleared when the run ends.
    static std::function<void()> progress_hook;
    static const bool connected = [] {
        sg4::Engine::on_time_advance_cb([](double) {
            if (progress_hook) progress_hook();
        });
        return true;
    }();
    (void)connected;
    struct EndOfRun {
        ~EndOfRun() { progress_hook = nullptr; }  // also when the run throws
    } end_of_run;
    if (opt.progress)
        progress_hook = [&, advances = std::uint64_t{0}]() mutable {
            if (++advances % 64 != 0) return;
            const auto now = std::chrono::steady_clock::now();
            if (now - last_report < std::chrono::milliseconds(100)) return;
            last_report = now;
            opt.progress(Kernel::now(), e.duration_s, kernel.events());
        };
    // Metric ticks at every interval boundary k * interval (absolute times: adding the interval
    // up would drift and could lose the last tick).
    std::uint64_t ticks = 0;
    std::function<void()> tick = [&] {
        recorder.close_interval(Kernel::now());
        if (opt.on_interval) opt.on_interval(recorder.last_interval());
        kernel.at(on_grid(static_cast<double>(++ticks + 1) * e.interval_s), tick);
    };
    kernel.at(on_grid(e.interval_s), tick);
    // Worker actors loop forever; the controller stops every actor at the end of the run.
    sg4::Actor::create("controller", runtime.controller_host(), [&e] {
        sg4::this_actor::sleep_until(e.duration_s);
        sg4::Actor::kill_all();
    });
    engine.run();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    if (opt.progress) opt.progress(e.duration_s, e.duration_s, kernel.events());

    RunOutput out;
    out.results = {{"summary", recorder.summary()},
                   {"series", recorder.series()},
                   {"engine", {{"events", kernel.events()}, {"simulated_s", e.duration_s}, {"seed", opt.seed},
                               {"replication", opt.replication}}},
                   {"wall", {{"wall_time_s", wall_s},
                             {"events_per_wall_s", wall_s > 0 ? static_cast<double>(kernel.events()) / wall_s : 0.0},
                             {"requests_per_wall_s", wall_s > 0 ? static_cast<double>(recorder.completed()) / wall_s : 0.0},
                             {"peak_rss_kib", usage.ru_maxrss}}}};
    nlohmann::json slos = nlohmann::json::array();
    std::vector<slo::SliSeries> sli;
    std::vector<slo::SloReport> verdicts;
    for (std::size_t i = 0; i < e.slos.size(); ++i) {
        sli.push_back(recorder.sli_series(i));
        verdicts.push_back(slo::evaluate(e.slos[i], sli.back()));
        slos.push_back(slo::to_json(verdicts.back(), sli.back()));
    }
    out.results["slos"] = slos;
    // The run judges itself: growing backlogs and an inadequate warm-up make its SLO verdicts
    // not conclusive (model/steady).
    out.results["steady_state"] = steady::to_json(steady::assess(e, out.results));
    steady::mark_slos(out.results["slos"], out.results["steady_state"]);
    out.results["cost"] = to_json(deployment_cost(e.topology, recorder.mean_instances()),
                                  out.results["summary"]["throughput_rps"].get<double>());
    out.results["faults"] = chaos.timeline(out.results["series"]);
    // Each fault's cost to every SLO, from its start until the stack recovered (or the run ended).
    for (auto& f : out.results["faults"]) {
        const double start = f["start_s"].get<double>();
        const double until = f["time_to_recover_s"].is_number()
                                 ? f["end_s"].get<double>() + f["time_to_recover_s"].get<double>()
                                 : e.duration_s;
        f["slos"] = nlohmann::json::array();
        for (std::size_t i = 0; i < verdicts.size(); ++i)
            f["slos"].push_back(slo::to_json(slo::fault_slo_impact(verdicts[i], sli[i], start, until), start));
    }
    out.results["control"] = {{"events", recorder.control_events()}};
    if (!e.deploys.empty()) out.results["deploys"] = deployer.report();
    out.series_csv = recorder.series_csv();
    return out;
}

}  // namespace stacksim::sim
