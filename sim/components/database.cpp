// Database queries: the client instance's connection pool (FIFO wait, timeout), then a query
// slot on the primary or a read replica.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

void Runtime::db_step(Frame* f, const DbStep& step) {
    const Service& db = *t_.find(step.database);
    auto& servers = instances_.at(db.name);
    const DatabaseSpec& spec = *db.database;
    Instance* server = servers.front().get();  // the primary
    if (step.op == DbStep::Op::read && spec.read_from_replicas && servers.size() > 1)
        server = servers[1 + round_robin_[db.name + "/reads"]++ % (servers.size() - 1)].get();
    auto& pool_ptr = pools_[{f->worker->instance, db.name}];
    if (!pool_ptr) {
        pool_ptr = std::make_unique<Pool>();
        pool_ptr->free = spec.pool_size;
    }
    Pool& pool = *pool_ptr;
    const Instance* client = f->worker->instance;
    // Hands the connection to the next waiter, if any, else back to the pool.
    auto release = [this, &pool, &db] {
        if (!pool.waiters.empty()) {
            auto w = std::move(pool.waiters.front());
            pool.waiters.pop_front();
            rec_.pool_wait(db.name, Kernel::now() - w.since, false);
            w.grant(true);
        } else {
            ++pool.free;
        }
    };
    auto query = [this, f, &step, server, client, release](bool granted) {
        if (!granted) {
            finish(f, false, ErrorKind::pool_timeout);
            return;
        }
        if (f->dead) [[unlikely]] {  // the client instance crashed while this request waited
            release();
            free_frame(f);
            return;
        }
        if (unreachable(client, *server)) [[unlikely]] {  // chaos: a dead host or a partition (the client reconnects)
            connect_failed([this, f, release](bool, ErrorKind why) {
                release();
                finish(f, false, why);
            });
            return;
        }
        kernel_.after(transit(client, server, 2048), [this, f, &step, server, client, release] {
            if (server->down) [[unlikely]] {  // chaos: the server is down (crash, failover)
                kernel_.after(transit(server, client, 2048), [this, f, release] {
                    release();
                    finish(f, false, ErrorKind::instance_down);
                });
                return;
            }
            // dependency_errors answer the query with an error; dependency_hang delays its answer
            // while it holds the connection (sim/chaos/).
            const Injected fault = server->faulty ? inject(*server, f->request) : Injected{};
            if (fault.error) [[unlikely]] {
                kernel_.after(transit(server, client, 2048), [this, f, release] {
                    release();
                    finish(f, false, ErrorKind::dependency);
                });
                return;
            }
            // disk_slowdown stretches the query's I/O share (sim/chaos/).
            server->station->submit(sample(step.query) * server->io_stretch, [this, f, server, client, epoch = server->epoch, release,
                                                                              hang_s = fault.hang_s] {
                const bool lost = server->epoch != epoch;  // the server crashed during the query
                kernel_.after(transit(server, client, 2048) + hang_s, [this, f, release, lost] {
                    release();
                    if (lost) [[unlikely]] finish(f, false, ErrorKind::instance_down);
                    else run(f);
                });
            });
        });
    };
    if (pool.free > 0) {
        --pool.free;
        query(true);
        return;
    }
    const std::uint64_t id = pool.next_id++;
    pool.waiters.push_back({id, Kernel::now(), query});
    kernel_.after(spec.pool_timeout_s, [this, &pool, id, name = db.name] {
        auto it = std::find_if(pool.waiters.begin(), pool.waiters.end(), [id](const Pool::Waiter& w) { return w.id == id; });
        if (it == pool.waiters.end()) return;  // granted in time
        auto grant = std::move(it->grant);
        rec_.pool_wait(name, Kernel::now() - it->since, true);
        pool.waiters.erase(it);
        grant(false);
    });
}

}  // namespace stacksim::sim
