// A call step with a resilience policy: bulkhead, circuit breaker, per-attempt timeout and
// retries with backoff under an optional budget, in that order for each attempt (resilience4j's
// Retry(CircuitBreaker(Bulkhead(TimeLimiter(call)))). A timed-out attempt is abandoned, not
// cancelled: the callee keeps working on it and its late answer is dropped.
#include "sim/engine/runtime_state.hpp"

namespace stacksim::sim {
namespace {

// A timed-out attempt's answer may come after the caller's request is gone: the callee's
// frames then keep a copy of the request of their own (freed with the answer).
struct Attempt {
    bool settled = false;
    Request* copy = nullptr;
};

}  // namespace

void Runtime::policy_call(Frame* f, const CallStep& call) {
    const Instance& caller = *f->worker->instance;
    auto& slot = edge_states_[{&caller, call.policy.get()}];
    if (!slot) {
        const CallPolicy& p = *call.policy;
        slot = std::make_unique<EdgeState>();
        slot->policy = &p;
        slot->edge = rec_.add_edge(caller.service->name, call.service);
        if (p.retry) {
            for (const std::string& kind : p.retry->on)
                for (int k = 1; k < static_cast<int>(ErrorKind::kCount); ++k)
                    if (kind == to_string(static_cast<ErrorKind>(k))) slot->retry_on |= 1u << k;
            if (p.retry->budget) slot->budget = std::make_unique<RetryBudget>(*p.retry->budget);
        }
        if (p.breaker) {
            slot->breaker = std::make_unique<CircuitBreaker>(*p.breaker);
            slot->breaker_id = rec_.add_breaker(caller.service->name, call.service, caller.index);
        }
    }
    EdgeState& st = *slot;
    rec_.edge(st.edge, Recorder::EdgeEvent::call);
    if (st.budget) st.budget->request(Kernel::now());
    policy_attempt(f, call, st, 1, call.policy->retry ? call.policy->retry->base_s : 0);
}

void Runtime::policy_attempt(Frame* f, const CallStep& call, EdgeState& st, int attempt, double backoff_s) {
    if (f->dead) [[unlikely]] {  // the caller crashed during the backoff
        free_frame(f);
        return;
    }
    const CallPolicy& p = *st.policy;
    // Local fast failures: no attempt leaves the caller.
    if (p.bulkhead && st.in_flight >= *p.bulkhead) {
        rec_.edge(st.edge, Recorder::EdgeEvent::bulkhead_full);
        policy_failed(f, call, st, attempt, backoff_s, ErrorKind::bulkhead_full);
        return;
    }
    std::uint64_t generation = 0;
    if (st.breaker) {
        if (!st.breaker->permit()) {
            rec_.edge(st.edge, Recorder::EdgeEvent::circuit_open);
            policy_failed(f, call, st, attempt, backoff_s, ErrorKind::circuit_open);
            return;
        }
        generation = st.breaker->generation();
    }
    rec_.edge(st.edge, Recorder::EdgeEvent::attempt);
    if (attempt > 1) rec_.edge(st.edge, Recorder::EdgeEvent::retry);
    ++st.in_flight;
    const double started = Kernel::now();
    // Runs once per attempt: on the answer or on the timeout, whichever comes first.
    auto settle = [this, f, &call, &st, attempt, backoff_s, started, generation](bool ok, ErrorKind why) {
        --st.in_flight;
        if (st.breaker) {
            const CircuitBreaker::State before = st.breaker->state();
            const bool slow = Kernel::now() - started >= st.policy->breaker->slow_call_duration_s;
            if (st.breaker->record(generation, Kernel::now(), !ok, slow)) {
                rec_.breaker_transition(st.breaker_id, CircuitBreaker::name(before), CircuitBreaker::name(st.breaker->state()));
                if (st.breaker->state() == CircuitBreaker::State::open) {
                    rec_.edge(st.edge, Recorder::EdgeEvent::breaker_open);
                    kernel_.after(st.policy->breaker->wait_in_open_s, [this, &st, g = st.breaker->generation()] {
                        if (st.breaker->generation() != g) return;
                        st.breaker->half_open();
                        rec_.breaker_transition(st.breaker_id, "open", "half_open");
                    });
                }
            }
        }
        if (ok) run(f);
        else policy_failed(f, call, st, attempt, backoff_s, why);
    };
    Request* req = f->request;
    if (!p.timeout_s) {
        invoke(*t_.find(call.service), call.endpoint, f->worker->instance, req, std::move(settle),
               {call.request_bytes, call.response_bytes});
        return;
    }
    auto att = std::make_shared<Attempt>();
    if (req) {
        att->copy = new_request();
        att->copy->id = req->id;
        att->copy->mix_index = req->mix_index;
        att->copy->start_s = req->start_s;
        att->copy->session = req->session;
        req = att->copy;
    }
    auto answer = [this, att, settle](bool ok, ErrorKind why) mutable {
        if (att->copy) {
            live_requests_.erase(att->copy);
            delete att->copy;
            att->copy = nullptr;
        }
        if (att->settled) return;  // abandoned: the caller timed out long ago
        att->settled = true;
        settle(ok, why);
    };
    invoke(*t_.find(call.service), call.endpoint, f->worker->instance, req, std::move(answer),
           {call.request_bytes, call.response_bytes});
    kernel_.after(*p.timeout_s, [this, att, settle = std::move(settle), edge = st.edge]() mutable {
        if (att->settled) return;
        att->settled = true;
        rec_.edge(edge, Recorder::EdgeEvent::timeout);
        settle(false, ErrorKind::timeout);
    });
}

void Runtime::policy_failed(Frame* f, const CallStep& call, EdgeState& st, int attempt, double backoff_s, ErrorKind why) {
    const CallPolicy& p = *st.policy;
    if (p.retry && attempt < p.retry->max_attempts && (st.retry_on >> static_cast<int>(why) & 1u)) {
        if (!st.budget || st.budget->try_retry(Kernel::now())) {
            double previous = backoff_s;
            const double delay = sim::backoff_s(*p.retry, attempt, previous, policy_rng_);
            kernel_.after(delay, [this, f, &call, &st, attempt, previous] { policy_attempt(f, call, st, attempt + 1, previous); });
            return;
        }
        rec_.edge(st.edge, Recorder::EdgeEvent::retry_denied);
    }
    finish(f, false, why);
}

}  // namespace stacksim::sim
