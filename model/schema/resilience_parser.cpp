// The `resilience` object of a call step, and the per-service `resilience` block (one such
// object per dependency). Semantics: docs/resilience.md.
#include <algorithm>
#include <cstdlib>

#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

std::optional<double> positive_duration(ObjectReader& r, const std::string& key, Need need = Need::optional) {
    auto d = r.duration(key, need);
    if (d && *d <= 0) {
        r.error(key, "expected a positive duration such as \"200ms\"");
        return std::nullopt;
    }
    return d;
}

std::optional<RetryPolicy::Budget> parse_budget(ObjectReader& r) {
    const json* b = r.child("budget");
    if (!b) return std::nullopt;
    ObjectReader br(*b, r.at("budget"), r.context(), "an object such as {\"ratio\": \"10%\", \"min_per_s\": 5}");
    if (!br.valid()) return std::nullopt;
    RetryPolicy::Budget budget;
    if (auto ratio = br.fraction("ratio", Need::required)) budget.ratio = *ratio;
    if (auto m = br.number("min_per_s", 0, 1e9)) budget.min_per_s = *m;
    if (auto w = positive_duration(br, "window")) budget.window_s = *w;
    br.finish();
    return budget;
}

std::optional<RetryPolicy> parse_retry(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx, "an object such as {\"max_attempts\": 3, \"base\": \"25ms\", \"jitter\": \"full\"}");
    if (!r.valid()) return std::nullopt;
    RetryPolicy p;
    if (auto n = r.integer("max_attempts", 1, 100)) p.max_attempts = static_cast<int>(*n);
    if (auto b = positive_duration(r, "base")) p.base_s = *b;
    if (auto m = positive_duration(r, "max")) p.max_s = *m;
    else if (!r.has("max")) p.max_s = std::max(p.max_s, 10 * p.base_s);
    if (p.max_s < p.base_s) r.error("max", "the backoff cap is shorter than its base");
    if (auto j = r.one_of("jitter", {"none", "full", "equal", "decorrelated"})) {
        static const std::map<std::string, RetryPolicy::Jitter> kJitter{{"none", RetryPolicy::Jitter::none},
                                                                       {"full", RetryPolicy::Jitter::full},
                                                                       {"equal", RetryPolicy::Jitter::equal},
                                                                       {"decorrelated", RetryPolicy::Jitter::decorrelated}};
        p.jitter = kJitter.at(*j);
    }
    if (const json* on = r.child("on")) {
        if (!on->is_array() || on->empty()) {
            r.error("on", "expected a non-empty array of error kinds such as [\"timeout\", \"dependency\"]");
        } else {
            for (std::size_t i = 0; i < on->size(); ++i) {
                const json& k = (*on)[i];
                const auto& kinds = retryable_error_kinds();
                if (!k.is_string() || std::find(kinds.begin(), kinds.end(), k.get<std::string>()) == kinds.end()) {
                    std::string list;
                    for (const auto& n : kinds) list += (list.empty() ? "" : ", ") + n;
                    ctx.diag.error(ctx.file, pointer_join(r.at("on"), i),
                                   "unknown error kind " + describe(k) +
                                       (k.is_string() ? suggestion(k.get<std::string>(), kinds) : "") + "; one of " + list);
                } else {
                    p.on.push_back(k.get<std::string>());
                }
            }
        }
    } else {
        p.on = default_retry_on();
    }
    p.budget = parse_budget(r);
    r.finish();
    return p;
}

std::optional<BreakerPolicy> parse_breaker(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx, "an object such as {\"failure_rate_threshold\": \"50%\", \"wait_in_open\": \"30s\"}");
    if (!r.valid()) return std::nullopt;
    BreakerPolicy b;
    if (auto w = r.one_of("sliding_window", {"count", "time"}))
        b.window = *w == "count" ? BreakerPolicy::Window::count : BreakerPolicy::Window::time;
    if (auto n = r.integer("window_size", 1, b.window == BreakerPolicy::Window::count ? 1000000 : 3600))
        b.window_size = static_cast<int>(*n);
    auto threshold = [&](const std::string& key, double& out) {
        if (auto f = r.fraction(key)) {
            if (*f <= 0) r.error(key, "a threshold of 0 would open the breaker on any call");
            else out = *f;
        }
    };
    threshold("failure_rate_threshold", b.failure_rate_threshold);
    threshold("slow_call_rate_threshold", b.slow_call_rate_threshold);
    if (auto d = positive_duration(r, "slow_call_duration")) b.slow_call_duration_s = *d;
    if (auto n = r.integer("minimum_calls", 1, 1000000)) b.minimum_calls = static_cast<int>(*n);
    if (auto d = positive_duration(r, "wait_in_open")) b.wait_in_open_s = *d;
    if (auto n = r.integer("half_open_calls", 1, 1000000)) b.half_open_calls = static_cast<int>(*n);
    r.finish();
    return b;
}

// "delay": "50ms" (fixed) or "p95" (that quantile of the edge's observed attempt latencies).
std::optional<HedgePolicy> parse_hedge(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx, "an object such as {\"delay\": \"p95\", \"max_hedges\": 1}");
    if (!r.valid()) return std::nullopt;
    HedgePolicy h;
    const json* d = r.child("delay", Need::required);
    if (d && d->is_string() && d->get<std::string>().size() > 1 && d->get<std::string>()[0] == 'p') {
        const std::string text = d->get<std::string>().substr(1);
        char* end = nullptr;
        const double pct = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size() || !(pct > 0 && pct < 100))
            r.error("delay", "expected a latency quantile such as \"p95\" (between p0 and p100) or a duration such as \"50ms\", got " + describe(*d));
        else
            h.quantile = pct / 100;
    } else if (d) {
        if (auto s = positive_duration(r, "delay")) h.delay_s = *s;
    }
    if (auto n = r.integer("max_hedges", 1, 10)) h.max_hedges = static_cast<int>(*n);
    h.budget = parse_budget(r);
    r.finish();
    return h;
}

std::optional<AdaptiveThrottlePolicy> parse_throttle(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx, "an object such as {\"k\": 2, \"window\": \"2min\"}");
    if (!r.valid()) return std::nullopt;
    AdaptiveThrottlePolicy t;
    if (auto k = r.number("k", 1, 100)) t.k = *k;
    if (auto w = positive_duration(r, "window")) t.window_s = *w;
    r.finish();
    return t;
}

}  // namespace

std::optional<RateLimitSpec> parse_rate_limit(ObjectReader& parent) {
    const json* node = parent.child("rate_limit");
    if (!node) return std::nullopt;
    ObjectReader r(*node, parent.at("rate_limit"), parent.context(),
                   "an object such as {\"rate\": \"100/s\", \"burst\": 20, \"scope\": \"instance\"}");
    if (!r.valid()) return std::nullopt;
    RateLimitSpec l;
    if (auto v = r.rate("rate", Need::required)) {
        if (*v <= 0) r.error("rate", "a rate limit needs a positive rate such as \"100/s\"");
        else l.rate_per_s = *v;
    }
    if (auto b = r.number("burst", 1, 1e9)) l.burst = *b;
    if (auto s = r.one_of("scope", {"instance", "global"}))
        l.scope = *s == "global" ? RateLimitSpec::Scope::global : RateLimitSpec::Scope::instance;
    r.finish();
    return l;
}

std::optional<SheddingSpec> parse_shedding(ObjectReader& parent) {
    const json* node = parent.child("shedding");
    if (!node) return std::nullopt;
    ObjectReader r(*node, parent.at("shedding"), parent.context(),
                   "an object with \"max_queued\" and/or \"max_queue_time\", such as {\"max_queue_time\": \"100ms\"}");
    if (!r.valid()) return std::nullopt;
    SheddingSpec s;
    if (auto n = r.integer("max_queued", 0, 1000000)) s.max_queued = static_cast<int>(*n);
    if (r.has("max_queue_time")) s.max_queue_time_s = positive_duration(r, "max_queue_time");
    if (!r.has("max_queued") && !r.has("max_queue_time"))
        r.error("", "shedding needs \"max_queued\" (requests waiting per worker) or \"max_queue_time\" (a duration)");
    r.finish();
    return s;
}

std::shared_ptr<const CallPolicy> parse_call_policy(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx,
                   "a policy object with any of \"timeout\", \"retry\", \"circuit_breaker\", \"bulkhead\", \"hedge\", "
                   "\"adaptive_throttle\"");
    if (!r.valid()) return nullptr;
    auto p = std::make_shared<CallPolicy>();
    p->pointer = pointer;
    if (r.has("timeout")) p->timeout_s = positive_duration(r, "timeout");
    if (const json* retry = r.child("retry")) p->retry = parse_retry(*retry, r.at("retry"), ctx);
    if (const json* b = r.child("circuit_breaker")) p->breaker = parse_breaker(*b, r.at("circuit_breaker"), ctx);
    if (const json* b = r.child("bulkhead")) {
        ObjectReader br(*b, r.at("bulkhead"), ctx, "an object {\"max_concurrent\": 50}");
        if (br.valid()) {
            if (auto n = br.integer("max_concurrent", 1, 10000000, Need::required)) p->bulkhead = static_cast<int>(*n);
            br.finish();
        }
    }
    if (const json* h = r.child("hedge")) {
        p->hedge = parse_hedge(*h, r.at("hedge"), ctx);
        if (p->retry) r.error("hedge", "a call either hedges or retries, not both (as in gRPC); drop \"retry\" or \"hedge\"");
    }
    if (const json* t = r.child("adaptive_throttle")) p->adaptive_throttle = parse_throttle(*t, r.at("adaptive_throttle"), ctx);
    r.finish();
    if (!p->timeout_s && !p->retry && !p->breaker && !p->bulkhead && !p->hedge && !p->adaptive_throttle)
        r.warn("", "an empty resilience policy does nothing");
    return p;
}

}  // namespace stacksim::schema
