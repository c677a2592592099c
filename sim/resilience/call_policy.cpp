// A call or database step with a resilience policy: bulkhead, circuit breaker, per-attempt timeout and
// retries with backoff under an optional budget, in that order for each attempt (resilience4j's
// Retry(CircuitBreaker(Bulkhead(TimeLimiter(call)))). A timed-out attempt is abandoned, not
// cancelled: the callee keeps working on it and its late answer is dropped.
#include "sim/engine/runtime_state.hpp"

#include <cmath>
#include <limits>

namespace stacksim::sim {
namespace {

// A timed-out attempt's answer may come after the caller's request is gone: the callee's
// frames then keep a copy of the request of their own (freed with the answer).
struct Attempt {
    bool settled = false;
    Request* copy = nullptr;
};

}  // namespace

namespace {
// A call under an overall deadline but without a policy of its own: the deadline is its timeout.
const CallPolicy kDeadlineOnly{};
}  // namespace

// One attempt of a policy's step: a call is sent as any call; a database query runs in a
// detached frame of its own (same worker), so that an abandoned attempt cannot touch the caller's.
void Runtime::send_attempt(Frame* f, const Step& step, Request* req, Done done) {
    if (const auto* call = std::get_if<CallStep>(&step.body)) {
        invoke(*t_.find(call->service), call->endpoint, f->worker->instance, req, std::move(done),
               {call->request_bytes, call->response_bytes});
        return;
    }
    Steps& once = detached_[&step];
    if (once.empty()) {
        once.push_back(step);
        std::get<DbStep>(once.front().body).policy = nullptr;
    }
    Frame* g = new_frame();
    g->request = req;
    g->worker = f->worker;
    g->service = f->service;
    g->cpu_started = true;
    g->stack.push_back({&once, 0});
    g->done = std::move(done);
    run(g);
}

void Runtime::policy_call(Frame* f, const Step& step) {
    const Instance& caller = *f->worker->instance;
    const auto* call = std::get_if<CallStep>(&step.body);
    const auto* db = std::get_if<DbStep>(&step.body);
    const std::shared_ptr<const CallPolicy>& policy = call ? call->policy : db->policy;
    const void* key = policy ? static_cast<const void*>(policy.get()) : &step;
    const std::string& dependency = call ? call->service : db->database;
    auto& slot = edge_states_[{&caller, key}];
    if (!slot) {
        const CallPolicy& p = policy ? *policy : kDeadlineOnly;
        slot = std::make_unique<EdgeState>();
        slot->policy = &p;
        slot->edge = rec_.add_edge(caller.service->name, dependency);
        if (p.retry) {
            for (const std::string& kind : p.retry->on)
                for (int k = 1; k < static_cast<int>(ErrorKind::kCount); ++k)
                    if (kind == to_string(static_cast<ErrorKind>(k))) slot->retry_on |= 1u << k;
            if (p.retry->budget) slot->budget = std::make_unique<RetryBudget>(*p.retry->budget);
        }
        if (p.hedge && p.hedge->budget) slot->budget = std::make_unique<RetryBudget>(*p.hedge->budget);
        if (p.hedge && p.hedge->quantile) slot->latency = std::make_unique<LatencyHistogram>();
        if (p.breaker) {
            slot->breaker = std::make_unique<CircuitBreaker>(*p.breaker);
            slot->breaker_id = rec_.add_breaker(caller.service->name, dependency, caller.index);
        }
        if (p.adaptive_throttle) slot->throttle = std::make_unique<AdaptiveThrottle>(*p.adaptive_throttle);
    }
    EdgeState& st = *slot;
    rec_.edge(st.edge, Recorder::EdgeEvent::call);
    if (st.budget) st.budget->request(Kernel::now());
    if (st.policy->hedge) {
        hedged_call(f, step, st);
        return;
    }
    policy_attempt(f, step, st, 1, st.policy->retry ? st.policy->retry->base_s : 0);
}

// Local fast failures, in order: adaptive throttling, bulkhead, circuit breaker. None: the
// attempt may go (a breaker's permit is taken; its generation is returned).
ErrorKind Runtime::policy_gate(EdgeState& st, std::uint64_t& generation) {
    if (st.throttle) {
        const double p = st.throttle->reject_probability(Kernel::now());
        st.throttle->request(Kernel::now());
        if (p > 0 && uniform01(policy_rng_) < p) {
            rec_.edge(st.edge, Recorder::EdgeEvent::throttled);
            return ErrorKind::throttled;
        }
    }
    if (st.policy->bulkhead && st.in_flight >= *st.policy->bulkhead) {
        rec_.edge(st.edge, Recorder::EdgeEvent::bulkhead_full);
        return ErrorKind::bulkhead_full;
    }
    if (st.breaker) {
        if (!st.breaker->permit()) {
            rec_.edge(st.edge, Recorder::EdgeEvent::circuit_open);
            return ErrorKind::circuit_open;
        }
        generation = st.breaker->generation();
    }
    return ErrorKind::none;
}

// An attempt answered (or timed out): the breaker and the throttle learn its outcome.
void Runtime::policy_outcome(EdgeState& st, std::uint64_t generation, double started_s, bool ok) {
    --st.in_flight;
    if (ok && st.throttle) st.throttle->accept(Kernel::now());
    if (!st.breaker) return;
    const CircuitBreaker::State before = st.breaker->state();
    const bool slow = Kernel::now() - started_s >= st.policy->breaker->slow_call_duration_s;
    if (!st.breaker->record(generation, Kernel::now(), !ok, slow)) return;
    rec_.breaker_transition(st.breaker_id, CircuitBreaker::name(before), CircuitBreaker::name(st.breaker->state()));
    if (st.breaker->state() != CircuitBreaker::State::open) return;
    rec_.edge(st.edge, Recorder::EdgeEvent::breaker_open);
    kernel_.after(st.policy->breaker->wait_in_open_s, [this, &st, g = st.breaker->generation()] {
        if (st.breaker->generation() != g) return;
        st.breaker->half_open();
        rec_.breaker_transition(st.breaker_id, "open", "half_open");
    });
}

void Runtime::policy_attempt(Frame* f, const Step& step, EdgeState& st, int attempt, double backoff_s) {
    if (f->dead) [[unlikely]] {  // the caller crashed during the backoff
        free_frame(f);
        return;
    }
    const CallPolicy& p = *st.policy;
    // The overall deadline bounds every attempt; an expired request sends nothing more.
    const double remaining = f->request ? f->request->deadline_s - Kernel::now() : std::numeric_limits<double>::infinity();
    if (remaining <= 0) [[unlikely]] {
        rec_.edge(st.edge, Recorder::EdgeEvent::deadline_exceeded);
        finish(f, false, ErrorKind::deadline_exceeded);
        return;
    }
    std::uint64_t generation = 0;
    if (const ErrorKind refused = policy_gate(st, generation); refused != ErrorKind::none) {
        policy_failed(f, step, st, attempt, backoff_s, refused);
        return;
    }
    rec_.edge(st.edge, Recorder::EdgeEvent::attempt);
    if (attempt > 1) rec_.edge(st.edge, Recorder::EdgeEvent::retry);
    ++st.in_flight;
    const double started = Kernel::now();
    // Runs once per attempt: on the answer or on the timeout, whichever comes first.
    auto settle = [this, f, &step, &st, attempt, backoff_s, started, generation](bool ok, ErrorKind why) {
        policy_outcome(st, generation, started, ok);
        if (ok) run(f);
        else policy_failed(f, step, st, attempt, backoff_s, why);
    };
    Request* req = f->request;
    const bool by_deadline = !p.timeout_s || remaining < *p.timeout_s;
    const double timeout = by_deadline ? remaining : *p.timeout_s;
    if (!std::isfinite(timeout)) {
        send_attempt(f, step, req, std::move(settle));
        return;
    }
    auto att = std::make_shared<Attempt>();
    if (req) req = att->copy = copy_request(req);
    auto answer = [this, att, settle](bool ok, ErrorKind why) mutable {
        if (att->copy) {
            release_copy(att->copy);
            att->copy = nullptr;
        }
        if (att->settled) return;  // abandoned: the caller timed out long ago
        att->settled = true;
        settle(ok, why);
    };
    send_attempt(f, step, req, std::move(answer));
    kernel_.after(timeout, [this, att, settle = std::move(settle), edge = st.edge, by_deadline]() mutable {
        if (att->settled) return;
        att->settled = true;
        rec_.edge(edge, by_deadline ? Recorder::EdgeEvent::deadline_exceeded : Recorder::EdgeEvent::timeout);
        settle(false, by_deadline ? ErrorKind::deadline_exceeded : ErrorKind::timeout);
    });
}

void Runtime::policy_failed(Frame* f, const Step& step, EdgeState& st, int attempt, double backoff_s, ErrorKind why) {
    const CallPolicy& p = *st.policy;
    if (p.retry && attempt < p.retry->max_attempts && (st.retry_on >> static_cast<int>(why) & 1u)) {
        if (!st.budget || st.budget->try_retry(Kernel::now())) {
            double previous = backoff_s;
            const double delay = sim::backoff_s(*p.retry, attempt, previous, policy_rng_);
            kernel_.after(delay, [this, f, &step, &st, attempt, previous] { policy_attempt(f, step, st, attempt + 1, previous); });
            return;
        }
        rec_.edge(st.edge, Recorder::EdgeEvent::retry_denied);
    }
    finish(f, false, why);
}

}  // namespace stacksim::sim
