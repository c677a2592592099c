// Overload protection at the callee and deadlines across the call tree: token-bucket rate
// limits (Envoy local_ratelimit, nginx limit_req), load shedding (by queue length or by time
// spent queued, CoDel's drop-at-dequeue without its control law), stale-if-error (RFC 5861,
// nginx proxy_cache_use_stale) and the overall request deadline (gRPC deadline propagation).
#include "sim/engine/runtime_state.hpp"

#include <memory>

namespace stacksim::sim {

bool Runtime::take_token(Instance& inst) {
    const RateLimitSpec& l = *inst.service->rate_limit;
    const void* key = l.scope == RateLimitSpec::Scope::global ? static_cast<const void*>(inst.service) : &inst;
    auto it = rate_buckets_.find(key);
    if (it == rate_buckets_.end()) it = rate_buckets_.emplace(key, TokenBucket(l.rate_per_s, l.burst)).first;
    if (it->second.take(Kernel::now())) return true;
    rec_.overload(inst.service->name, Recorder::Overload::rate_limited);
    return false;
}

Request* Runtime::copy_request(const Request* req) {
    Request* copy = new_request();
    copy->id = req->id;
    copy->mix_index = req->mix_index;
    copy->start_s = req->start_s;
    copy->session = req->session;
    copy->deadline_s = req->deadline_s;
    return copy;
}

void Runtime::release_copy(Request* copy) {
    live_requests_.erase(copy);
    delete copy;
}

// A load balancer that sets a deadline answers 504 (`deadline_exceeded`) when it passes, as
// Envoy's route timeout does; downstream work goes on with a copy of the request that carries
// the deadline, and stops at its next step once the deadline has passed.
Runtime::Done Runtime::with_deadline(Request*& req, double deadline_s, Done reply) {
    req->deadline_s = std::min(req->deadline_s, Kernel::now() + deadline_s);
    struct Shared {
        bool settled = false;
        Done reply;
    };
    auto sh = std::make_shared<Shared>();
    sh->reply = std::move(reply);
    kernel_.after(req->deadline_s - Kernel::now(), [sh] {
        if (sh->settled) return;
        sh->settled = true;
        sh->reply(false, ErrorKind::deadline_exceeded);
    });
    Request* copy = copy_request(req);
    req = copy;
    return [this, sh, copy](bool ok, ErrorKind why) {
        release_copy(copy);
        if (sh->settled) return;  // answered 504 already
        sh->settled = true;
        sh->reply(ok, why);
    };
}

void Runtime::shed_frame(Frame* f) {
    rec_.overload(f->service->name, Recorder::Overload::shed_queue_time);
    finish(f, false, ErrorKind::shed);
}

// A failure inside the miss path of a cache step that found a stale entry serves that entry:
// the frame resumes after the cache step as a success (and writes nothing back).
bool Runtime::serve_stale(Frame* f) {
    for (std::size_t i = f->stack.size(); i-- > 0;) {
        if (!f->stack[i].stale_fallback) continue;
        const CacheStep* step = f->stack[i].put_after;
        f->stack.resize(i);
        rec_.overload(step->cache, Recorder::Overload::stale_served);
        run(f);
        return true;
    }
    return false;
}

}  // namespace stacksim::sim
