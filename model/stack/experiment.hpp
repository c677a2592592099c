#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/stack/deploy.hpp"
#include "model/stack/distribution.hpp"
#include "model/stack/sweep_spec.hpp"
#include "model/stack/topology.hpp"

// A validated experiment: which stack, what traffic, for how long, judged by which SLOs.
namespace stacksim {

struct MixEntry {
    std::string endpoint;  // endpoint name on the entry service (through the LB to its backend)
    double weight = 1;     // normalised to fractions by the parser
};

struct RatePoint {
    double at_s = 0;
    double rate_per_s = 0;
    bool ramp = false;  // linear ramp from the previous point instead of a step
};

struct Workload {
    enum class Type { open, closed } type = Type::open;
    std::string entry;            // service the clients talk to (usually a load_balancer)
    std::vector<MixEntry> mix;
    // open
    double rate_per_s = 0;        // base rate; the profile, if any, overrides it over time
    enum class Arrivals { poisson, constant, mmpp, diurnal, flash_crowd, trace } arrivals = Arrivals::poisson;
    std::vector<RatePoint> profile;
    double burst_rate_per_s = 0, burst_mean_s = 0, calm_mean_s = 0;  // mmpp
    double diurnal_amplitude = 0, diurnal_period_s = 86400;          // diurnal
    double flash_at_s = 0, flash_peak_per_s = 0, flash_rise_s = 0, flash_decay_s = 0;
    std::string trace_file;
    // closed
    int users = 0;
    Distribution think_time = Distribution::exponential(1.0);
    // sessions (sticky routing, consistent hashing)
    int sessions = 0;

    [[nodiscard]] double mean_rate_per_s(double duration_s) const;  // time-average of the profile
    [[nodiscard]] double peak_rate_per_s() const;
};

// A multi-window burn-rate alert (Google SRE workbook, "Alerting on SLOs"): it fires while the
// error budget burns at least `burn_rate` times the sustainable rate over both windows.
struct BurnRateAlert {
    std::string severity = "page";  // page | ticket
    double long_window_s = 3600, short_window_s = 300;
    double burn_rate = 14.4;
};

// The workbook's recommended set: 2 % of a 30-day budget in 1 h, 5 % in 6 h (pages), 10 % in 3 d (ticket).
std::vector<BurnRateAlert> default_burn_rate_alerts();

struct Slo {
    std::string name;
    enum class Sli { availability, latency } sli = Sli::availability;
    std::string endpoint;       // empty = all requests
    double objective = 0.999;   // fraction of good events
    double threshold_s = 0;     // latency SLIs: a request is good when faster than this
    double window_s = 30 * 86400.0;
    std::vector<BurnRateAlert> alerts = default_burn_rate_alerts();
};

struct Fault {
    std::string kind;           // e.g. "instance_crash", "zone_outage" (simulated by the chaos engine)
    std::string target;
    std::optional<double> at_s, for_s;
    std::optional<Distribution> mtbf, mttr;
    double fraction = 1.0;
    std::map<std::string, double> magnitudes;  // fault-specific: latency_s, jitter_s, loss, factor, error_rate, restart_s, leak_bytes_per_s
    std::vector<std::string> between;          // partition / link_degradation: two zones
    std::string pointer;
};

struct Experiment {
    std::string name, description, file;
    Topology topology;
    Workload workload;
    double duration_s = 60, warmup_s = 0;
    double interval_s = 1;      // metrics resolution
    std::uint64_t seed = 1;
    int replications = 1;
    std::vector<Slo> slos;
    std::vector<Fault> chaos;
    std::vector<Deploy> deploys;     // new versions rolled out during the run (docs/control.md#deploys)
    std::optional<SweepSpec> sweep;  // presets for `stacksim sweep` (docs/sweep.md)
};

const char* to_string(Workload::Arrivals a);

}  // namespace stacksim
