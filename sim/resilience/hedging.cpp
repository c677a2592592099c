// Hedged requests (gRPC hedgingPolicy; Dean & Barroso, "The Tail at Scale"): the call sends a
// copy, and while no answer has come it sends another after the hedge delay, up to max_hedges
// extra copies. The first success wins; the other copies are not cancelled, their answers are
// ignored (the callee does the work anyway, which is the extra load hedging costs). A failed
// copy makes the next hedge go at once (gRPC: a non-fatal status). Hedges draw on the retry
// budget when one is set, as Envoy and Finagle count them.
#include "sim/engine/runtime_state.hpp"

#include <cmath>
#include <limits>

namespace stacksim::sim {

struct Runtime::HedgedCall {
    Frame* f = nullptr;
    const Step* step = nullptr;
    EdgeState* st = nullptr;
    bool settled = false;  // the call is over: later answers and timers do nothing
    int sent = 0, outstanding = 0;
};

namespace {
constexpr std::uint64_t kMinSamples = 100;       // a quantile delay needs this many answers first
constexpr std::uint64_t kReestimateEvery = 64;   // answers between two quantile estimates
}  // namespace

void Runtime::hedged_call(Frame* f, const Step& step, EdgeState& st) {
    const double remaining = f->request ? f->request->deadline_s - Kernel::now() : std::numeric_limits<double>::infinity();
    if (remaining <= 0) [[unlikely]] {
        rec_.edge(st.edge, Recorder::EdgeEvent::deadline_exceeded);
        finish(f, false, ErrorKind::deadline_exceeded);
        return;
    }
    auto hc = std::make_shared<HedgedCall>();
    hc->f = f;
    hc->step = &step;
    hc->st = &st;
    // The timeout (or the remaining deadline) bounds the whole hedged call, as a gRPC deadline does.
    const CallPolicy& p = *st.policy;
    const bool by_deadline = !p.timeout_s || remaining < *p.timeout_s;
    const double timeout = by_deadline ? remaining : *p.timeout_s;
    if (std::isfinite(timeout))
        kernel_.after(timeout, [this, hc, by_deadline] {
            if (hc->settled) return;
            hc->settled = true;
            rec_.edge(hc->st->edge, by_deadline ? Recorder::EdgeEvent::deadline_exceeded : Recorder::EdgeEvent::timeout);
            finish(hc->f, false, by_deadline ? ErrorKind::deadline_exceeded : ErrorKind::timeout);
        });
    hedge_send(hc);
}

void Runtime::hedge_send(const std::shared_ptr<HedgedCall>& hc) {
    EdgeState& st = *hc->st;
    const HedgePolicy& h = *st.policy->hedge;
    std::uint64_t generation = 0;
    if (const ErrorKind refused = policy_gate(st, generation); refused != ErrorKind::none) {
        if (hc->outstanding == 0) {  // nothing else can answer: the call fails fast
            hc->settled = true;
            finish(hc->f, false, refused);
        }
        return;
    }
    const int copy_index = ++hc->sent;
    ++hc->outstanding;
    ++st.in_flight;
    rec_.edge(st.edge, Recorder::EdgeEvent::attempt);
    if (copy_index > 1) rec_.edge(st.edge, Recorder::EdgeEvent::hedge);
    Request* req = hc->f->request ? copy_request(hc->f->request) : nullptr;
    const double started = Kernel::now();
    send_attempt(hc->f, *hc->step, req,
           [this, hc, req, started, generation, copy_index](bool ok, ErrorKind why) {
               if (req) release_copy(req);
               EdgeState& s = *hc->st;
               --hc->outstanding;
               policy_outcome(s, generation, started, ok);
               if (ok && s.latency) s.latency->record(Kernel::now() - started);
               if (hc->settled) return;  // a losing copy: its answer is ignored
               if (ok) {
                   hc->settled = true;
                   if (copy_index > 1) rec_.edge(s.edge, Recorder::EdgeEvent::hedge_win);
                   run(hc->f);
                   return;
               }
               if (hc->outstanding > 0) return;  // another copy may still succeed
               const bool may_hedge = !hc->f->dead && hc->sent <= s.policy->hedge->max_hedges &&
                                      (!s.budget || s.budget->try_retry(Kernel::now()));
               if (may_hedge) {
                   hedge_send(hc);
                   return;
               }
               hc->settled = true;
               finish(hc->f, false, why);
           });
    if (copy_index > h.max_hedges) return;  // the last copy allowed
    // When to hedge: a fixed delay, or the quantile of this edge's observed latencies.
    double delay = h.delay_s;
    if (h.quantile) {
        if (st.latency->count() >= kMinSamples && st.latency->count() - st.latency_at_estimate >= kReestimateEvery) {
            st.hedge_delay_s = st.latency->quantile(*h.quantile);
            st.latency_at_estimate = st.latency->count();
        }
        delay = st.hedge_delay_s;  // infinite until enough answers were seen
    }
    if (!std::isfinite(delay)) return;
    kernel_.after(delay, [this, hc, copy_index] {
        if (hc->settled || hc->sent != copy_index || hc->f->dead) return;  // answered, or hedged already
        if (hc->st->budget && !hc->st->budget->try_retry(Kernel::now())) {
            rec_.edge(hc->st->edge, Recorder::EdgeEvent::retry_denied);
            return;
        }
        hedge_send(hc);
    });
}

}  // namespace stacksim::sim
