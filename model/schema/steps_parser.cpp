#include <cmath>

#include "model/schema/parsers.hpp"

namespace stacksim::schema {
namespace {

constexpr int kMaxStepDepth = 16;
const std::vector<std::string> kStepKinds{"cpu", "call", "cache", "db", "publish", "branch"};

std::optional<Step> parse_step(const json& node, const std::string& pointer, Context& ctx, int depth) {
    ObjectReader r(node, pointer, ctx, "a step object such as {\"cpu\": \"2ms\"}");
    if (!r.valid()) return std::nullopt;
    std::vector<std::string> present;
    for (const auto& k : kStepKinds)
        if (node.contains(k)) present.push_back(k);
    if (present.size() != 1) {
        std::string keys;
        for (const auto& k : node.items()) keys += (keys.empty() ? "" : ", ") + k.key();
        std::string hint;
        if (present.empty())
            for (const auto& k : node.items())
                if (hint.empty()) hint = suggestion(k.key(), kStepKinds);
        r.error("", present.empty()
                        ? "a step needs exactly one of \"cpu\", \"call\", \"cache\", \"db\", \"publish\", \"branch\"" + hint
                        : "a step has exactly one kind, this one has " + std::to_string(present.size()) + " (" + keys + ")");
        return std::nullopt;
    }
    const std::string& kind = present.front();
    Step step;
    step.pointer = pointer;
    bool ok = true;
    auto need = [&](auto opt) {
        if (!opt) ok = false;
        return opt;
    };
    if (kind == "cpu") {
        auto d = need(r.distribution("cpu", Need::required));
        if (d) step.body = CpuStep{*d};
    } else if (kind == "call") {
        CallStep c;
        if (auto s = need(r.name("call", Need::required))) c.service = *s;
        if (auto s = r.name("endpoint")) c.endpoint = *s;
        if (auto a = r.boolean("async")) c.async = *a;
        if (auto b = r.size("request")) c.request_bytes = *b;
        if (auto b = r.size("response")) c.response_bytes = *b;
        if (const json* pol = r.child("resilience")) {
            c.policy = parse_call_policy(*pol, r.at("resilience"), ctx);
            if (c.async) r.error("resilience", "a fire-and-forget (async) call waits for nothing: it takes no resilience policy");
        }
        step.body = c;
    } else if (kind == "cache") {
        CacheStep c;
        if (auto s = need(r.name("cache", Need::required))) c.cache = *s;
        if (auto k = need(r.count("keys", 1e12, Need::required))) c.key_space = *k;
        if (auto z = r.number("zipf", 0, 5)) c.zipf_alpha = *z;
        if (r.has("ttl")) c.ttl_s = need(r.duration("ttl"));
        if (auto b = r.size("value_size")) c.value_bytes = *b;
        if (const json* l1 = r.child("l1")) {
            ObjectReader lr(*l1, r.at("l1"), ctx, "an object {\"max_keys\": ..., \"ttl\": ...}");
            CacheStep::L1 spec;
            if (auto k = need(lr.count("max_keys", 1e9, Need::required))) spec.max_keys = *k;
            if (lr.has("ttl")) spec.ttl_s = need(lr.duration("ttl"));
            lr.finish();
            if (lr.valid()) c.l1 = spec;
        }
        if (r.has("stale_if_error")) {
            c.stale_if_error_s = need(r.duration("stale_if_error"));
            if (c.stale_if_error_s && *c.stale_if_error_s <= 0)
                r.error("stale_if_error", "expected a positive duration such as \"60s\" (how long past its TTL an entry may be served)");
        }
        if (const json* miss = r.child("on_miss")) c.on_miss = parse_steps(*miss, r.at("on_miss"), ctx, depth + 1);
        step.body = std::move(c);
    } else if (kind == "db") {
        DbStep d;
        if (auto s = need(r.name("db", Need::required))) d.database = *s;
        if (auto op = need(r.one_of("op", {"read", "write"}, Need::required)))
            d.op = *op == "read" ? DbStep::Op::read : DbStep::Op::write;
        if (auto q = need(r.distribution("query", Need::required))) d.query = *q;
        if (const json* pol = r.child("resilience")) d.policy = parse_call_policy(*pol, r.at("resilience"), ctx);
        step.body = std::move(d);
    } else if (kind == "publish") {
        PublishStep p;
        if (auto s = need(r.name("publish", Need::required))) p.queue = *s;
        if (auto b = r.size("payload")) p.payload_bytes = *b;
        step.body = p;
    } else {  // branch
        BranchStep b;
        const json* list = r.child("branch", Need::required);
        const std::string at = r.at("branch");
        if (!list->is_array() || list->empty() || list->size() > 64) {
            ctx.diag.error(ctx.file, at, "expected an array of 1 to 64 branches such as [{\"p\": 0.3, \"steps\": [...]}]");
            return std::nullopt;
        }
        double total = 0;
        for (std::size_t i = 0; i < list->size(); ++i) {
            ObjectReader br((*list)[i], pointer_join(at, i), ctx);
            if (!br.valid()) continue;
            Branch branch;
            if (auto p = br.fraction("p", Need::required)) branch.probability = *p, total += *p;
            if (const json* s = br.child("steps", Need::required))
                branch.steps = parse_steps(*s, br.at("steps"), ctx, depth + 1);
            br.finish();
            b.branches.push_back(std::move(branch));
        }
        if (total > 1.0 + 1e-9)
            ctx.diag.error(ctx.file, at, "branch probabilities add up to " + std::to_string(total) +
                                             ", more than 1 (the remainder, if any, does nothing)");
        step.body = std::move(b);
    }
    r.finish();
    if (!ok) return std::nullopt;
    return step;
}

}  // namespace

Steps parse_steps(const json& node, const std::string& pointer, Context& ctx, int depth) {
    Steps steps;
    if (depth > kMaxStepDepth) {
        ctx.diag.error(ctx.file, pointer, "steps nested deeper than " + std::to_string(kMaxStepDepth) + " levels");
        return steps;
    }
    if (!node.is_array()) {
        ctx.diag.error(ctx.file, pointer, "expected an array of steps, got " + describe(node));
        return steps;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
        if (auto s = parse_step(node[i], pointer_join(pointer, i), ctx, depth)) steps.push_back(std::move(*s));
    return steps;
}

}  // namespace stacksim::schema
