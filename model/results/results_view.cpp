#include "model/results/results_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "model/schema/diagnostics.hpp"
#include "model/schema/json_file.hpp"

namespace stacksim::results {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Walks a document remembering the JSON pointer, so every complaint names its location.
class Reader {
public:
    Reader(const json& j, std::string file, std::string pointer = "") : j_(j), file_(std::move(file)), ptr_(std::move(pointer)) {}

    [[nodiscard]] bool has(const char* key) const { return j_.is_object() && j_.contains(key) && !j_.at(key).is_null(); }
    [[nodiscard]] Reader at(const char* key) const {
        static const json null_json;
        const json& v = j_.is_object() && j_.contains(key) ? j_.at(key) : null_json;
        return {v, file_, schema::pointer_join(ptr_, key)};
    }
    [[nodiscard]] Reader at(std::size_t i) const { return {j_.at(i), file_, schema::pointer_join(ptr_, i)}; }
    [[nodiscard]] const json& raw() const { return j_; }
    [[nodiscard]] std::size_t size() const { return j_.is_array() ? j_.size() : 0; }
    [[noreturn]] void fail(const std::string& expected) const {
        throw ResultsError(fmt::format("{}:{}: expected {}, got {}", file_, ptr_.empty() ? "/" : ptr_, expected,
                                       j_.is_null() ? std::string("nothing") : std::string(j_.type_name())));
    }
    // Optional leaves: absent or null read as the default; a wrong type is an error.
    [[nodiscard]] double number(double def = kNaN) const {
        if (j_.is_null()) return def;
        if (!j_.is_number()) fail("a number");
        return j_.get<double>();
    }
    [[nodiscard]] std::string string() const {
        if (j_.is_null()) return "";
        if (!j_.is_string()) fail("a string");
        return j_.get<std::string>();
    }
    [[nodiscard]] bool boolean() const {
        if (j_.is_null()) return false;
        if (!j_.is_boolean()) fail("true or false");
        return j_.get<bool>();
    }
    [[nodiscard]] std::vector<double> numbers(std::size_t expected_size) const {
        if (!j_.is_array()) fail("an array of numbers");
        if (expected_size != npos && j_.size() != expected_size)
            throw ResultsError(fmt::format("{}:{}: expected {} values (one per interval of series/t_s), got {}", file_, ptr_,
                                           expected_size, j_.size()));
        std::vector<double> out;
        out.reserve(j_.size());
        for (std::size_t i = 0; i < j_.size(); ++i) out.push_back(at(i).number());
        return out;
    }
    [[nodiscard]] SeriesMap series_map(std::size_t n) const {
        SeriesMap out;
        if (j_.is_null()) return out;
        if (!j_.is_object()) fail("an object of arrays");
        for (const auto& [k, v] : j_.items()) out[k] = Reader(v, file_, schema::pointer_join(ptr_, k)).numbers(n);
        return out;
    }
    template <class F>
    void each(F&& f) const {
        if (j_.is_null()) return;
        if (!j_.is_array()) fail("an array");
        for (std::size_t i = 0; i < j_.size(); ++i) f(at(i));
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    const json& j_;
    std::string file_, ptr_;
};

CostView parse_cost(const Reader& r) {
    CostView c;
    if (!r.raw().is_object()) return c;
    c.present = true;
    c.per_hour_usd = r.at("per_hour_usd").number();
    c.per_month_usd = r.at("per_month_usd").number();
    c.per_million_requests_usd = r.at("per_million_requests_usd").number();
    return c;
}

SloView parse_slo(const Reader& r, std::size_t n) {
    SloView s;
    s.name = r.at("name").string();
    s.sli = r.at("sli").string();
    s.objective = r.at("objective").number();
    s.sli_value = r.at("sli_value").number();
    s.burn_rate = r.at("burn_rate").number();
    s.met = r.at("met").boolean();
    const Reader series = r.at("series");
    if (series.has("budget_remaining")) s.budget_remaining = series.at("budget_remaining").numbers(n);
    if (series.has("burn_rate_short")) s.burn_rate_short = series.at("burn_rate_short").numbers(n);
    r.at("alerts").each([&](const Reader& a) {
        const std::string severity = a.at("severity").string();
        a.at("fired").each([&](const Reader& f) {
            AlertFiring firing{severity, f.at("at_s").number(0), std::nullopt};
            if (f.has("resolved_s")) firing.resolved_s = f.at("resolved_s").number();
            s.alerts.push_back(firing);
        });
    });
    return s;
}

std::string resolve_against(const std::string& doc_file, const std::string& rel) {
    if (rel.empty()) return "";
    const fs::path p(rel);
    if (p.is_absolute()) return p.string();
    return (fs::path(doc_file).parent_path() / p).lexically_normal().string();
}

}  // namespace

const std::vector<double>& RunView::total(const std::string& key) const {
    static const std::vector<double> none;
    const auto it = totals.find(key);
    return it == totals.end() ? none : it->second;
}

json read_results_json(const std::string& path) {
    schema::Diagnostics diag;
    auto doc = schema::load_json_file(path, diag);
    if (!doc) throw ResultsError(diag.format().empty() ? path + ": cannot read" : diag.format());
    return std::move(*doc);
}

DocumentKind document_kind(const json& doc, const std::string& file) {
    const Reader r(doc, file);
    if (!doc.is_object()) r.fail("a results document (a JSON object with \"kind\")");
    const std::string kind = r.at("kind").string();
    if (kind == "run") return DocumentKind::run;
    if (kind == "replications") return DocumentKind::replications;
    if (kind == "sweep") return DocumentKind::sweep;
    if (doc.contains("workload") || doc.contains("services"))
        throw ResultsError(file + ": this is an experiment or topology, not a results document (run it first)");
    r.at("kind").fail("\"run\", \"replications\" or \"sweep\"");
}

RunView parse_run(const json& doc, const std::string& file) {
    if (document_kind(doc, file) != DocumentKind::run) throw ResultsError(file + ":/kind: expected \"run\"");
    const Reader r(doc, file);
    RunView v;
    v.file = file;
    v.name = r.at("name").string();
    const Reader inputs = r.at("inputs");
    v.experiment = inputs.at("experiment").string();
    v.topology = inputs.at("topology").string();
    inputs.at("overrides").each([&](const Reader& o) { v.overrides.push_back(o.string()); });
    v.duration_s = r.at("duration_s").number(0);
    v.warmup_s = r.at("warmup_s").number(0);
    v.interval_s = r.at("interval_s").number(1);
    v.seed = static_cast<std::uint64_t>(r.at("engine").at("seed").number(0));

    const Reader sum = r.at("summary");
    v.throughput_rps = sum.at("throughput_rps").number();
    v.availability = sum.at("availability").number();
    v.arrivals = static_cast<std::uint64_t>(sum.at("arrivals").number(0));
    v.completed = static_cast<std::uint64_t>(sum.at("completed").number(0));
    v.errors = static_cast<std::uint64_t>(sum.at("errors").number(0));
    const Reader lat = sum.at("latency_s");
    v.p50_s = lat.at("p50").number();
    v.p95_s = lat.at("p95").number();
    v.p99_s = lat.at("p99").number();
    sum.at("services").each([&](const Reader& s) {
        v.services.push_back({s.at("service").string(), s.at("kind").string(), s.at("utilisation").number()});
    });

    const Reader series = r.at("series");
    if (!series.raw().is_object()) series.fail("the per-interval series (an object)");
    v.t_s = series.at("t_s").numbers(Reader::npos);
    const std::size_t n = v.t_s.size();
    for (const char* key : {"arrivals_rps", "completed_rps", "errors_rps", "in_flight", "mean_s", "p50_s", "p90_s",
                            "p95_s", "p99_s", "p999_s"})
        if (series.has(key)) v.totals[key] = series.at(key).numbers(n);
    v.utilisation = series.at("utilisation").series_map(n);
    v.queue_depth = series.at("queue_depth").series_map(n);
    v.replicas = series.at("replicas").series_map(n);
    v.cache_hit_ratio = series.at("cache_hit_ratio").series_map(n);
    v.attempts_rps = series.at("attempts_rps").series_map(n);
    v.retries_rps = series.at("retries_rps").series_map(n);
    v.timeouts_rps = series.at("timeouts_rps").series_map(n);

    r.at("slos").each([&](const Reader& s) { v.slos.push_back(parse_slo(s, n)); });
    r.at("faults").each([&](const Reader& f) {
        v.faults.push_back({f.at("kind").string(), f.at("target").string(), f.at("start_s").number(0),
                            f.at("end_s").number(0), !f.has("ended") || f.at("ended").boolean()});
    });
    r.at("control").at("events").each([&](const Reader& e) {
        v.control.push_back({e.at("t_s").number(0), e.at("kind").string(), e.at("service").string(),
                             e.at("instance").raw().is_string() ? e.at("instance").string() : ""});
    });
    v.cost = parse_cost(r.at("cost"));
    if (r.has("steady_state") && r.at("steady_state").has("verdict")) {
        const Reader st = r.at("steady_state");
        v.steady_verdict = st.at("verdict").string();
        if (st.has("findings")) st.at("findings").each([&](const Reader& f) { v.steady_findings.push_back(f.string()); });
    }
    return v;
}

SweepView parse_sweep(const json& doc, const std::string& file) {
    if (document_kind(doc, file) != DocumentKind::sweep) throw ResultsError(file + ":/kind: expected \"sweep\"");
    const Reader r(doc, file);
    SweepView s;
    s.file = file;
    s.name = r.at("name").string();
    s.experiment = r.at("experiment").string();
    s.question = r.at("question").string();
    s.target_load_rps = r.at("target_load_rps").number();
    const Reader points = r.at("points");
    if (!points.raw().is_array()) points.fail("an array of sweep points");
    points.each([&](const Reader& p) {
        SweepPointView pt;
        pt.id = p.at("id").string();
        pt.index = static_cast<int>(p.at("index").number(0));
        pt.strategy = p.at("strategy").string();
        pt.status = p.at("status").string();
        pt.load = p.at("load").string();
        pt.load_rps = p.at("load_rps").number();
        pt.service = p.at("service").string();
        pt.machine = p.at("machine").string();
        pt.replicas = static_cast<int>(p.at("replicas").number(0));
        pt.error = p.at("error").string();
        pt.results = resolve_against(file, p.at("results").string());
        pt.throughput_rps = p.at("throughput_rps").number();
        pt.availability = p.at("availability").number();
        pt.p99_s = p.at("latency_s").at("p99").number();
        pt.max_utilisation = p.at("max_utilisation").number();
        pt.slos_met = p.at("slos_met").boolean();
        pt.steady_state = p.has("steady_state") ? p.at("steady_state").string() : "steady";
        pt.cost = parse_cost(p.at("cost"));
        s.points.push_back(std::move(pt));
    });
    const Reader analysis = r.at("analysis");
    analysis.at("loads").each([&](const Reader& l) {
        if (l.has("cheapest")) s.cheapest_by_load[l.at("load_rps").number(0)] = l.at("cheapest").string();
    });
    s.recommendation = analysis.at("recommendation").at("text").string();
    return s;
}

Opened open_results(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw ResultsError(path + ": no such file or directory");
    Opened o;
    auto open_file = [&o](const std::string& file) {
        const json doc = read_results_json(file);
        switch (document_kind(doc, file)) {
            case DocumentKind::run: o.runs.push_back(parse_run(doc, file)); break;
            case DocumentKind::sweep: o.sweep = parse_sweep(doc, file); break;
            case DocumentKind::replications: {
                const Reader runs = Reader(doc, file).at("runs");
                runs.each([&](const Reader& dir) {
                    const std::string rf = resolve_against(file, dir.string() + "/results.json");
                    // `runs` are as given on the command line; fall back to the document's directory.
                    const std::string local = (fs::path(file).parent_path() / fs::path(dir.string()).filename() / "results.json").string();
                    const std::string use = fs::exists(rf) ? rf : local;
                    o.runs.push_back(parse_run(read_results_json(use), use));
                });
                break;
            }
        }
    };
    if (!fs::is_directory(path, ec)) {
        open_file(path);
        return o;
    }
    const fs::path dir(path);
    if (fs::exists(dir / "sweep.json")) {
        open_file((dir / "sweep.json").string());
        return o;
    }
    if (fs::exists(dir / "results.json")) {
        open_file((dir / "results.json").string());
        return o;
    }
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_directory() && fs::exists(entry.path() / "results.json")) files.push_back((entry.path() / "results.json").string());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw ResultsError(path + ": no results here (expected results.json, sweep.json or run directories holding results.json)");
    for (const auto& f : files) open_file(f);
    return o;
}

}  // namespace stacksim::results
