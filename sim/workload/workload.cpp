#include "sim/workload/workload.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace stacksim::sim {

Workload::Workload(const Experiment& e, Kernel& kernel, Runtime& runtime)
    : w_(e.workload), kernel_(kernel), runtime_(runtime), rng_(kernel.stream(2)), think_(e.workload.think_time) {
    double acc = 0;
    for (const auto& m : w_.mix) mix_cdf_.push_back(acc += m.weight);
    if (w_.type == stacksim::Workload::Type::open && w_.arrivals == stacksim::Workload::Arrivals::trace) {
        const auto dir = std::filesystem::path(e.file).parent_path();
        trace_ = read_trace((dir / w_.trace_file).string());
    }
}

std::vector<double> read_trace(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open trace file");
    std::vector<double> out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const std::string first = line.substr(0, line.find(','));
        if (first.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            std::size_t used = 0;
            const double t = std::stod(first, &used);
            if (!std::isfinite(t) || t < 0) throw std::invalid_argument(first);
            out.push_back(t);
        } catch (const std::exception&) {
            if (n == 1) continue;  // a header line
            throw std::runtime_error(path + ":" + std::to_string(n) + ": expected a timestamp in seconds, got \"" + first + "\"");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

double Workload::rate_at(double t) const {
    using A = stacksim::Workload::Arrivals;
    double r = w_.rate_per_s;
    if (!w_.profile.empty()) {  // steps, or linear ramps into a point
        double prev_t = 0, prev_r = w_.rate_per_s;
        for (const RatePoint& p : w_.profile) {
            if (t < p.at_s) return p.ramp ? prev_r + (p.rate_per_s - prev_r) * (t - prev_t) / (p.at_s - prev_t) : prev_r;
            prev_t = p.at_s;
            prev_r = p.rate_per_s;
        }
        r = prev_r;
    }
    if (w_.arrivals == A::diurnal) return r * (1 + w_.diurnal_amplitude * std::sin(2 * std::numbers::pi * t / w_.diurnal_period_s));
    if (w_.arrivals == A::flash_crowd && t >= w_.flash_at_s) {
        const double since = t - w_.flash_at_s;
        const double surge = since < w_.flash_rise_s ? since / w_.flash_rise_s
                                                     : std::exp(-(since - w_.flash_rise_s) / std::max(w_.flash_decay_s, 1e-9));
        return r + (w_.flash_peak_per_s - r) * surge;
    }
    return r;
}

void Workload::start() {
    if (w_.type == stacksim::Workload::Type::closed) {
        for (int u = 0; u < w_.users; ++u) user_cycle();
        return;
    }
    if (w_.arrivals == stacksim::Workload::Arrivals::mmpp) {
        next_switch_ = exponential(rng_, 1 / w_.calm_mean_s);
    }
    next_open_arrival();
}

void Workload::emit(std::function<void()> on_finish) {
    auto* req = runtime_.new_request();
    req->id = next_id_++;
    const double u = uniform01(rng_);
    req->mix_index = static_cast<int>(std::min<std::size_t>(
        static_cast<std::size_t>(std::upper_bound(mix_cdf_.begin(), mix_cdf_.end(), u * mix_cdf_.back()) - mix_cdf_.begin()),
        mix_cdf_.size() - 1));
    req->session = w_.sessions > 0 ? uniform_below(rng_, static_cast<std::uint64_t>(w_.sessions))
                                   : req->id;
    req->start_s = Kernel::now();
    req->on_finish = std::move(on_finish);
    runtime_.submit(req);
}

void Workload::next_open_arrival() {
    using A = stacksim::Workload::Arrivals;
    const double now = Kernel::now();
    double next = now;
    if (w_.arrivals == A::trace) {
        if (trace_pos_ >= trace_.size()) return;
        next = trace_[trace_pos_++];
    } else if (w_.arrivals == A::constant) {
        const double r = rate_at(now);
        if (r <= 0) return;
        next = now + 1 / r;
    } else if (w_.arrivals == A::mmpp) {
        // Poisson within a state; the exponential is memoryless, so redraw after a switch.
        while (true) {
            const double r = burst_ ? w_.burst_rate_per_s : rate_at(now);
            const double gap = r > 0 ? exponential(rng_, r) : std::numeric_limits<double>::infinity();
            if (next + gap < next_switch_) {
                next += gap;
                break;
            }
            next = next_switch_;
            burst_ = !burst_;
            next_switch_ += exponential(rng_, 1 / (burst_ ? w_.burst_mean_s : w_.calm_mean_s));
            if (next >= kernel_.end()) return;
        }
    } else {
        // Non-homogeneous Poisson by thinning (Lewis & Shedler) under the peak rate.
        const double peak = std::max(w_.peak_rate_per_s(), 1e-12);
        do {
            next += exponential(rng_, peak);
            if (next >= kernel_.end()) return;
        } while (uniform01(rng_) * peak > rate_at(next));
    }
    kernel_.after(next - now, [this] {
        emit({});
        next_open_arrival();
    });
}

void Workload::user_cycle() {
    // Think, send one request, wait for its answer, repeat.
    kernel_.after(think_(rng_), [this] { emit([this] { user_cycle(); }); });
}

}  // namespace stacksim::sim
