#pragma once
#include <QChart>

#include <vector>

#include "gui/data/workspace.hpp"

// Builders for every chart kind, one source file each. Each returns a new QChart (the caller
// owns it) whose series hold the results document's values unchanged (times in seconds;
// latencies in milliseconds, the unit architects read). Several runs overlay in their run
// colours; series are named "<run label> · <metric>" then, "<metric>" for a single run.
namespace stacksim::gui {

using Runs = std::vector<const LoadedRun*>;

struct Quantiles {
    bool p50 = false, p95 = true, p99 = true;
};

QChart* latencyChart(const Runs& runs, Quantiles q);
// Successful and failed requests per second; fault intervals shaded (one band per fault).
QChart* throughputChart(const Runs& runs);
QChart* queueDepthChart(const Runs& runs);
QChart* replicasChart(const Runs& runs);
// Error budget remaining per SLO over time, alert firings as markers.
QChart* burnDownChart(const Runs& runs);
// Per strategy (horizontal, vertical, grid) at one load: x = $/hour, y = p99 (ms); points
// meeting every SLO are marked. load_rps <= 0: the sweep's target load (else its first load).
QChart* costChart(const results::SweepView& sweep, double load_rps);
// The loads a sweep covers, ascending (for the load selector).
std::vector<double> sweepLoads(const results::SweepView& sweep);

}  // namespace stacksim::gui
