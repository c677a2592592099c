// Database queries: the client instance's connection pool (FIFO wait, timeout), a connection
// to the server within its max_connections, then a query slot on the primary or a read replica.
#include "sim/engine/runtime_state.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim::sim {

// PostgreSQL refuses a connection past max_connections ("sorry, too many clients already"):
// the pool's attempt fails and the query with it (error `rejected`).
bool Runtime::open_connection(Pool& pool, Instance& server, const Service& db) {
    if (server.connections >= db.database->max_connections) {
        rec_.connection_refused(db.name);
        return false;
    }
    ++server.connections;
    ++pool.opened;
    return true;
}

// A pool keeps its connections open once made (node-postgres, HikariCP); one to another server
// is closed to make room when the pool is at its size.
void Runtime::acquire_connection(Pool& pool, Instance& server, const Service& db, std::function<void(ErrorKind)> granted) {
    if (auto it = std::find(pool.idle.begin(), pool.idle.end(), &server); it != pool.idle.end()) {
        pool.idle.erase(it);
        granted(ErrorKind::none);
        return;
    }
    if (pool.opened == pool.size && !pool.idle.empty()) {
        --pool.idle.front()->connections;
        --pool.opened;
        pool.idle.erase(pool.idle.begin());
    }
    if (pool.opened < pool.size) {
        granted(open_connection(pool, server, db) ? ErrorKind::none : ErrorKind::rejected);
        return;
    }
    const std::uint64_t id = pool.next_id++;
    pool.waiters.push_back({id, Kernel::now(), &server, std::move(granted)});
    kernel_.after(db.database->pool_timeout_s, [this, &pool, id, name = db.name] {
        auto it = std::find_if(pool.waiters.begin(), pool.waiters.end(), [id](const Pool::Waiter& w) { return w.id == id; });
        if (it == pool.waiters.end()) return;  // granted in time
        auto grant = std::move(it->grant);
        rec_.pool_wait(name, Kernel::now() - it->since, true);
        pool.waiters.erase(it);
        grant(ErrorKind::pool_timeout);
    });
}

// Hands the connection to the next waiter (reconnecting when it queries another server), if
// any, else keeps it idle.
void Runtime::release_connection(Pool& pool, Instance& server, const Service& db) {
    if (pool.waiters.empty()) {
        pool.idle.push_back(&server);
        return;
    }
    auto w = std::move(pool.waiters.front());
    pool.waiters.pop_front();
    rec_.pool_wait(db.name, Kernel::now() - w.since, false);
    if (w.server == &server) {
        w.grant(ErrorKind::none);
        return;
    }
    --server.connections;
    --pool.opened;
    w.grant(open_connection(pool, *w.server, db) ? ErrorKind::none : ErrorKind::rejected);
}

void Runtime::db_step(Frame* f, const DbStep& step) {
    const Service& db = *t_.find(step.database);
    auto& servers = instances_.at(db.name);
    const DatabaseSpec& spec = *db.database;
    Instance* server = servers.front().get();  // the primary
    const bool from_replica = step.op == DbStep::Op::read && spec.read_from_replicas && servers.size() > 1;
    if (from_replica) server = servers[1 + round_robin_[db.name + "/reads"]++ % (servers.size() - 1)].get();
    auto& pool_ptr = pools_[{f->worker->instance, db.name}];
    if (!pool_ptr) {
        pool_ptr = std::make_unique<Pool>();
        pool_ptr->size = spec.pool_size;
    }
    Pool& pool = *pool_ptr;
    const Instance* client = f->worker->instance;
    // Read-your-writes: who wrote what is tracked per client session (else per request); queue
    // consumers have neither and are not tracked.
    const std::uint64_t writer = f->request ? f->request->session + 1 : 0;  // session: the request id without sessions
    Replication* replication = nullptr;
    if (writer && spec.read_replicas > 0 && spec.read_from_replicas && spec.replication_lag_s > 0) {
        auto& r = replication_[&db];
        if (!r) r = std::make_unique<Replication>();
        replication = r.get();
    }
    auto release = [this, &pool, server, &db] { release_connection(pool, *server, db); };
    auto query = [this, f, &step, &db, server, client, release, from_replica, replication, writer](ErrorKind refused) {
        if (refused != ErrorKind::none) {  // pool timeout, or the server refused a new connection
            finish(f, false, refused);
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
        kernel_.after(transit(client, server, 2048), [this, f, &step, &db, server, client, release, from_replica, replication, writer] {
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
            const double now = Kernel::now();
            if (replication) replication->forget_before(now - db.database->replication_lag_s);
            if (from_replica) {  // stale: this writer's last commit has not reached the replicas yet
                const bool stale = replication && replication->last_write_s.contains(writer);
                rec_.replica_read(db.name, stale);
            }
            const bool tracked_write = replication && step.op == DbStep::Op::write;
            // disk_slowdown stretches the query's I/O share (sim/chaos/).
            server->station->submit(sample(step.query) * server->io_stretch, [this, f, server, client, epoch = server->epoch, release, replication, writer,
                                                                              tracked_write, hang_s = fault.hang_s] {
                const bool lost = server->epoch != epoch;  // the server crashed during the query
                if (tracked_write && !lost) {  // committed on the primary; the replicas apply it after the lag
                    replication->last_write_s[writer] = Kernel::now();
                    replication->writes.emplace_back(Kernel::now(), writer);
                }
                kernel_.after(transit(server, client, 2048) + hang_s, [this, f, release, lost] {
                    release();
                    if (lost) [[unlikely]] finish(f, false, ErrorKind::instance_down);
                    else run(f);
                });
            });
        });
    };
    acquire_connection(pool, *server, db, std::move(query));
}

}  // namespace stacksim::sim
