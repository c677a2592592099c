#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "model/schema/parsers.hpp"
#include "model/units/units.hpp"

namespace stacksim::schema {
namespace {

const std::vector<std::string> kFaultKinds{
    "worker_crash", "instance_crash", "host_crash",      "zone_outage",     "partition",
    "link_degradation", "cpu_slowdown", "disk_slowdown", "memory_leak",     "cache_flush",
    "db_failover",  "dependency_errors", "dependency_hang"};

void parse_open(ObjectReader& r, Workload& w) {
    const auto arrivals =
        r.one_of("arrivals", {"poisson", "constant", "mmpp", "diurnal", "flash_crowd", "trace"});
    static const std::map<std::string, Workload::Arrivals> kArr{
        {"poisson", Workload::Arrivals::poisson},     {"constant", Workload::Arrivals::constant},
        {"mmpp", Workload::Arrivals::mmpp},           {"diurnal", Workload::Arrivals::diurnal},
        {"flash_crowd", Workload::Arrivals::flash_crowd}, {"trace", Workload::Arrivals::trace}};
    if (arrivals) w.arrivals = kArr.at(*arrivals);
    const bool trace = w.arrivals == Workload::Arrivals::trace;
    const auto base_rate = r.rate("rate", trace ? Need::optional : Need::required);
    if (base_rate) w.rate_per_s = *base_rate;
    if (const json* prof = r.child("profile")) {
        if (!prof->is_array() || prof->size() > 100000) {
            r.error("profile", "expected an array of {\"at\": \"5min\", \"rate\": \"2M/min\", \"ramp\": true}");
        } else {
            double last = -1;
            for (std::size_t i = 0; i < prof->size(); ++i) {
                ObjectReader pr((*prof)[i], pointer_join(r.at("profile"), i), r.context());
                if (!pr.valid()) continue;
                RatePoint p;
                if (auto at = pr.duration("at", Need::required)) p.at_s = *at;
                if (auto rate = pr.rate("rate", Need::required)) p.rate_per_s = *rate;
                if (auto ramp = pr.boolean("ramp")) p.ramp = *ramp;
                if (p.at_s <= last) pr.error("at", "profile points must be in increasing time order");
                last = p.at_s;
                pr.finish();
                w.profile.push_back(p);
            }
        }
    }
    auto section = [&](const char* key, Workload::Arrivals needed_for, auto&& read) {
        const json* node = r.child(key, w.arrivals == needed_for ? Need::required : Need::optional);
        if (!node) return;
        ObjectReader sr(*node, r.at(key), r.context());
        if (w.arrivals != needed_for)
            sr.error("", std::string("\"") + key + "\" is only used with \"arrivals\": \"" + to_string(needed_for) + "\"");
        if (sr.valid()) read(sr);
        sr.finish();
    };
    section("mmpp", Workload::Arrivals::mmpp, [&](ObjectReader& s) {
        if (auto v = s.rate("burst_rate", Need::required)) w.burst_rate_per_s = *v;
        if (auto v = s.duration("burst_mean", Need::required)) w.burst_mean_s = *v;
        if (auto v = s.duration("calm_mean", Need::required)) w.calm_mean_s = *v;
    });
    section("diurnal", Workload::Arrivals::diurnal, [&](ObjectReader& s) {
        if (auto v = s.number("amplitude", 0, 1, Need::required)) w.diurnal_amplitude = *v;
        if (auto v = s.duration("period")) w.diurnal_period_s = *v;
    });
    section("flash_crowd", Workload::Arrivals::flash_crowd, [&](ObjectReader& s) {
        if (auto v = s.duration("at", Need::required)) w.flash_at_s = *v;
        if (auto v = s.rate("peak", Need::required)) w.flash_peak_per_s = *v;
        if (auto v = s.duration("rise", Need::required)) w.flash_rise_s = *v;
        if (auto v = s.duration("decay", Need::required)) w.flash_decay_s = *v;
    });
    // A run that sends nothing would judge every SLO on no data; "0rps" is a mistake unless
    // a profile raises the rate later.
    if (!trace && base_rate && *base_rate <= 0 && w.burst_rate_per_s <= 0 && w.flash_peak_per_s <= 0 &&
        std::none_of(w.profile.begin(), w.profile.end(), [](const RatePoint& p) { return p.rate_per_s > 0; }))
        r.error("rate", "the rate must be positive (a rate of 0 sends no requests), or a \"profile\" must raise it");
    if (auto f = r.name("trace", trace ? Need::required : Need::optional)) {
        w.trace_file = *f;
        if (!trace) r.error("trace", "\"trace\" is only used with \"arrivals\": \"trace\"");
    }
}

Workload parse_workload(const json& node, const std::string& pointer, Context& ctx) {
    Workload w;
    ObjectReader r(node, pointer, ctx, "a workload object");
    if (!r.valid()) return w;
    const auto type = r.one_of("type", {"open", "closed"}, Need::required);
    if (auto e = r.name("entry", Need::required)) w.entry = *e;
    if (auto s = r.integer("sessions", 1, 100000000)) w.sessions = static_cast<int>(*s);
    if (const json* mix = r.child("mix", Need::required)) {
        ObjectReader mr(*mix, r.at("mix"), ctx, "an object of endpoint weights such as {\"GET /items\": 80, \"POST /cart\": 20}");
        if (mr.valid() && mr.named_entries() == 0) mr.error("", "the mix needs at least one endpoint");
        double total = 0;
        if (mr.valid())
            for (const auto& [name, weight] : mix->items()) {
                if (is_annotation(name) || name.empty()) continue;
                mr.has(name);
                if (!weight.is_number() || !std::isfinite(weight.get<double>()) || weight.get<double>() <= 0 ||
                    weight.get<double>() > 1e12) {
                    mr.error(name, "expected a positive weight, got " + describe(weight));
                    continue;
                }
                w.mix.push_back({name, weight.get<double>()});
                total += weight.get<double>();
            }
        for (auto& m : w.mix) m.weight /= total;  // total > 0 whenever the mix is not empty
    }
    if (type == "closed") {
        w.type = Workload::Type::closed;
        if (auto u = r.integer("users", 1, 1000000, Need::required)) w.users = static_cast<int>(*u);
        if (auto t = r.distribution("think_time", Need::required)) w.think_time = *t;
    } else if (type == "open") {
        parse_open(r, w);
    }
    r.finish();
    return w;
}

// Reads an array of objects, one `T` per valid element; `read` fills it from a reader.
template <class T, class Read>
std::vector<T> parse_object_list(const json& node, const std::string& pointer, Context& ctx, const char* what,
                                 Read&& read) {
    std::vector<T> out;
    if (!node.is_array()) {
        ctx.diag.error(ctx.file, pointer, std::string("expected an array of ") + what + "s, got " + describe(node));
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        ObjectReader r(node[i], pointer_join(pointer, i), ctx, (std::string("a ") + what + " object").c_str());
        if (!r.valid()) continue;
        out.push_back(read(r));
        r.finish();
    }
    return out;
}

std::vector<BurnRateAlert> parse_alerts(const json& node, const std::string& pointer, Context& ctx) {
    return parse_object_list<BurnRateAlert>(node, pointer, ctx, "alert", [](ObjectReader& r) {
        BurnRateAlert a;
        if (auto s = r.one_of("severity", {"page", "ticket"})) a.severity = *s;
        if (auto l = r.duration("long_window", Need::required)) a.long_window_s = *l;
        if (auto s = r.duration("short_window", Need::required)) a.short_window_s = *s;
        if (auto b = r.number("burn_rate", 0.01, 1e6, Need::required)) a.burn_rate = *b;
        if (a.long_window_s <= 0 || a.short_window_s <= 0) r.error("", "alert windows must be positive");
        else if (a.short_window_s > a.long_window_s) r.error("short_window", "the short window must not exceed the long window");
        return a;
    });
}

std::vector<Slo> parse_slos(const json& node, const std::string& pointer, Context& ctx) {
    return parse_object_list<Slo>(node, pointer, ctx, "SLO", [&ctx](ObjectReader& r) {
        Slo s;
        if (auto n = r.name("name", Need::required)) s.name = *n;
        const auto sli = r.one_of("sli", {"availability", "latency"}, Need::required);
        if (sli == "latency") {
            s.sli = Slo::Sli::latency;
            if (auto t = r.duration("threshold", Need::required)) s.threshold_s = *t;
        } else if (r.has("threshold")) {
            r.error("threshold", "a threshold only applies to \"sli\": \"latency\"");
        }
        if (auto e = r.name("endpoint")) s.endpoint = *e;
        if (auto o = r.fraction("objective", Need::required)) {
            s.objective = *o;
            if (*o <= 0 || *o >= 1) r.error("objective", "an objective must be strictly between 0% and 100%");
        }
        if (auto w = r.duration("window")) s.window_s = *w;
        if (const json* a = r.child("alerts")) s.alerts = parse_alerts(*a, r.at("alerts"), ctx);
        return s;
    });
}

std::vector<Fault> parse_chaos(const json& node, const std::string& pointer, Context& ctx) {
    return parse_object_list<Fault>(node, pointer, ctx, "fault", [](ObjectReader& r) {
        Fault f;
        f.pointer = r.pointer();
        if (auto k = r.one_of("fault", kFaultKinds, Need::required)) f.kind = *k;
        // A partition or link degradation is placed by `between` (two zones); `target` is optional.
        const bool on_link = f.kind == "partition" || f.kind == "link_degradation";
        if (auto t = r.name("target", on_link ? Need::optional : Need::required)) f.target = *t;
        if (r.has("at")) f.at_s = r.duration("at");
        if (r.has("for")) f.for_s = r.duration("for");
        if (r.has("mtbf")) f.mtbf = r.distribution("mtbf");
        if (r.has("mttr")) f.mttr = r.distribution("mttr");
        if (auto fr = r.fraction("fraction")) f.fraction = *fr;
        // Fault-specific magnitudes (docs/file-formats.md, "chaos"), kept for the chaos engine.
        auto keep = [&](const char* name, std::optional<double> v) {
            if (v) f.magnitudes[name] = *v;
        };
        keep("latency_s", r.duration("latency"));
        keep("jitter_s", r.duration("jitter"));
        keep("loss", r.fraction("loss"));
        keep("factor", r.number("factor", 0, 1000));
        keep("error_rate", r.fraction("error_rate"));
        keep("restart_s", r.duration("restart"));
        keep("io_share", r.fraction("io_share"));
        keep("memory_limit_bytes", r.size("memory_limit"));
        keep("leak_bytes_per_request", r.size("leak_per_request"));
        if (auto leak = r.bandwidth("leak_rate")) f.magnitudes["leak_bytes_per_s"] = *leak / 8;
        if (const json* b = r.child("between")) {
            if (!b->is_array() || b->size() != 2 || !(*b)[0].is_string() || !(*b)[1].is_string() ||
                (*b)[0].get<std::string>().empty() || (*b)[1].get<std::string>().empty())
                r.error("between", "expected two zone names, e.g. [\"eu-west-1a\", \"eu-west-1b\"]");
            else
                f.between = {(*b)[0].get<std::string>(), (*b)[1].get<std::string>()};
        }
        if (!f.at_s && !f.mtbf) r.error("", "a fault needs \"at\" (scheduled) or \"mtbf\" (random)");
        if (on_link && !r.has("between"))
            r.error("", "a " + f.kind + " fault needs \"between\": the two zones it separates, e.g. [\"eu-west-1a\", \"eu-west-1b\"]");
        if (f.kind == "partition" && f.between.size() == 2 && f.between[0] == f.between[1])
            r.error("between", "a partition separates two different zones");
        if (f.kind == "link_degradation" && f.magnitudes.contains("loss") && f.magnitudes.at("loss") >= 1)
            r.error("loss", "loss must be below 100% (a link that drops everything is a \"partition\")");
        if (f.kind == "memory_leak" && !f.magnitudes.contains("leak_bytes_per_s") && !f.magnitudes.contains("leak_bytes_per_request"))
            r.error("", "a memory_leak fault needs \"leak_rate\" (e.g. \"10MiB/s\") or \"leak_per_request\" (e.g. \"64KiB\")");
        return f;
    });
}

// The default metrics interval: the longest of 1 s, 500, 250, 200, 100, 50, 25, 20, 10, 5,
// 2.5, 2, 1 ms that divides both the duration and the warm-up into whole intervals, tested in
// whole microseconds (no floating-point drift). 0 when none does.
double default_interval_s(double duration_s, double warmup_s) {
    constexpr double kUs = 1e6;
    if (!(duration_s > 0) || !(duration_s < 1e12) || !(warmup_s >= 0) || !(warmup_s < duration_s)) return 1.0;  // rejected below
    const double d_us = duration_s * kUs, w_us = warmup_s * kUs;
    auto whole = [](double x) { return std::abs(x - std::round(x)) <= std::max(1e-3, x * 1e-12); };
    if (!whole(d_us) || !whole(w_us)) return 0;  // not a whole number of microseconds
    const auto d = static_cast<std::uint64_t>(std::llround(d_us)), w = static_cast<std::uint64_t>(std::llround(w_us));
    for (const std::uint64_t step : {1'000'000, 500'000, 250'000, 200'000, 100'000, 50'000, 25'000, 20'000, 10'000, 5'000, 2'500, 2'000, 1'000})
        if (step <= d && d % step == 0 && w % step == 0) return static_cast<double>(step) / kUs;
    return 0;
}

}  // namespace

std::optional<SweepSpec> parse_sweep(const json& node, const std::string& pointer, Context& ctx, const Topology& t);

Experiment parse_experiment(const json& doc, Context& ctx, Topology topology) {
    Experiment e;
    e.file = ctx.file;
    e.topology = std::move(topology);
    ObjectReader top(doc, "", ctx, "an experiment object");
    if (!top.valid()) return e;
    top.integer("version", 1, 1);
    top.child("topology", Need::required);  // loaded by the caller
    if (auto n = top.string("name")) e.name = *n;
    if (auto d = top.string("description")) e.description = *d;
    if (auto d = top.duration("duration", Need::required)) e.duration_s = *d;
    if (auto d = top.duration("warmup")) e.warmup_s = *d;
    if (auto d = top.duration("interval")) e.interval_s = *d;
    else {
        e.interval_s = default_interval_s(e.duration_s, e.warmup_s);
        if (e.interval_s == 0) e.interval_s = e.duration_s;  // one interval (a warm-up is then rejected below)
        else if (e.interval_s < 1 && e.duration_s >= 1)  // not silent: the rows are finer than the usual 1 s
            top.warn("duration", "metrics every " + units::format_duration(e.interval_s) +
                                     " (the longest default interval that divides the duration and the warm-up); set \"interval\" to choose");
    }
    if (e.duration_s <= 0) top.error("duration", "the duration must be positive");
    if (e.warmup_s >= e.duration_s) top.error("warmup", "the warm-up must be shorter than the duration");
    if (e.interval_s <= 0 || e.interval_s > e.duration_s) {
        top.error("interval", "the interval must be in (0, duration]");
    } else {
        // Verdicts and summaries cover whole intervals: the warm-up and the run must end on one.
        auto whole = [&](double v) {
            const double k = v / e.interval_s;
            return std::abs(k - std::round(k)) < 1e-6;
        };
        const std::string unit = "a whole number of intervals (interval " + units::format_duration(e.interval_s) + ")";
        if (!whole(e.duration_s)) top.error("duration", "the duration must be " + unit);
        if (e.warmup_s < e.duration_s && !whole(e.warmup_s)) top.error("warmup", "the warm-up must be " + unit);
    }
    if (auto s = top.integer("seed", 0, 9007199254740991LL)) e.seed = static_cast<std::uint64_t>(*s);
    if (auto r = top.integer("replications", 1, 1000)) e.replications = static_cast<int>(*r);
    if (const json* w = top.child("workload", Need::required)) e.workload = parse_workload(*w, top.at("workload"), ctx);
    if (const json* s = top.child("slos")) e.slos = parse_slos(*s, top.at("slos"), ctx);
    if (const json* c = top.child("chaos")) e.chaos = parse_chaos(*c, top.at("chaos"), ctx);
    if (const json* d = top.child("deploys")) e.deploys = parse_deploys(*d, top.at("deploys"), ctx, e.topology, e.duration_s);
    if (const json* s = top.child("sweep")) e.sweep = parse_sweep(*s, top.at("sweep"), ctx, e.topology);  // sweep_parser.cpp
    top.finish();
    return e;
}

}  // namespace stacksim::schema
