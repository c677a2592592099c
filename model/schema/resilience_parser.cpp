// The `resilience` object of a call step, and the per-service `resilience` block (one such
// object per dependency). Semantics: docs/resilience.md.
#include <algorithm>

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
    if (const json* b = r.child("budget")) {
        ObjectReader br(*b, r.at("budget"), ctx, "an object such as {\"ratio\": \"10%\", \"min_per_s\": 5}");
        if (br.valid()) {
            RetryPolicy::Budget budget;
            if (auto ratio = br.fraction("ratio", Need::required)) budget.ratio = *ratio;
            if (auto m = br.number("min_per_s", 0, 1e9)) budget.min_per_s = *m;
            if (auto w = positive_duration(br, "window")) budget.window_s = *w;
            br.finish();
            p.budget = budget;
        }
    }
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

}  // namespace

std::shared_ptr<const CallPolicy> parse_call_policy(const json& node, const std::string& pointer, Context& ctx) {
    ObjectReader r(node, pointer, ctx,
                   "a policy object with any of \"timeout\", \"retry\", \"circuit_breaker\", \"bulkhead\"");
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
    r.finish();
    if (!p->timeout_s && !p->retry && !p->breaker && !p->bulkhead)
        r.warn("", "an empty resilience policy does nothing");
    return p;
}

}  // namespace stacksim::schema
