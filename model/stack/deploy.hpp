#pragma once
#include <optional>
#include <string>
#include <vector>

// A deploy of a new version of one node_service during the run (docs/control.md#deploys):
// how the new version behaves and the strategy that rolls it out.
namespace stacksim {

// What the new version does differently from the one running at the start of the run.
struct VersionSpec {
    std::string name = "v2";
    double error_rate = 0;                 // share of its requests answered with a server error (HTTP 500)
    double cpu_factor = 1;                 // its CPU steps take this many times as long
    std::optional<double> crash_after_s;   // running this long, an instance crashes (and is restarted after `startup`)
};

struct CanaryStep {
    double weight = 0;   // share of the LB's traffic sent to the new version
    double pause_s = 0;  // time at this weight before the next step (analysis keeps running)
};

// Argo Rollouts AnalysisTemplate / Flagger analysis on the canary's error rate.
struct CanaryAnalysis {
    double max_error_rate = 0.01;  // a measurement above it fails
    double interval_s = 10;        // one measurement per interval, over that interval
    int failure_limit = 0;         // rollback once more measurements than this have failed
    int min_requests = 10;         // fewer canary requests in an interval: no measurement
};

struct Deploy {
    enum class Strategy { rolling, blue_green, canary, pm2_reload, pm2_restart } strategy = Strategy::rolling;
    std::string service;
    double at_s = 0;
    std::string from_version = "v1";
    VersionSpec version;
    double startup_s = 10;         // a new instance (or PM2 worker) from start to listening
    double drain_timeout_s = 30;   // terminationGracePeriodSeconds / PM2 kill_timeout
    // rolling (Kubernetes Deployment RollingUpdate); fractions of replicas when `*_fraction`
    double max_surge = 0.25, max_unavailable = 0.25;
    bool max_surge_fraction = true, max_unavailable_fraction = true;
    // blue_green (Argo Rollouts blueGreen)
    double soak_s = 0;             // all green ready -> switch after this
    double scale_down_delay_s = 0; // blue stays (idle, for a rollback) this long after the switch
    // canary
    std::vector<CanaryStep> steps;
    std::optional<CanaryAnalysis> analysis;
    std::string pointer;           // JSON pointer, for messages
};

const char* to_string(Deploy::Strategy s);

// Kubernetes rounds maxSurge up and maxUnavailable down.
int max_surge_instances(const Deploy& d, int replicas);
int max_unavailable_instances(const Deploy& d, int replicas);
// Instances the simulator creates beyond the replicas for this deploy (stopped until used).
int extra_instances(const Deploy& d, int replicas);

}  // namespace stacksim
