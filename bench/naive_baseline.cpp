// The baseline for bench/run.sh: the naive way to simulate a client/server on SimGrid, one
// mailbox put/get and one exec per request (what a first SimGrid program does). stacksim's
// engine is measured against this in the same script on the same machine.
//   naive_baseline REQUESTS  -> prints "requests wall_s requests_per_s peak_rss_kib"
#include <simgrid/s4u.hpp>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace sg4 = simgrid::s4u;

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 200000;
    std::vector<std::string> args{"naive", "--cfg=contexts/factory:raw", "--log=root.thres:critical"};
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    int ac = static_cast<int>(av.size());
    sg4::Engine e(&ac, av.data());
    auto* zone = sg4::create_full_zone("z");
    auto* client = zone->create_host("client", 1e9);
    auto* server = zone->create_host("server", 1e9);
    auto* link = zone->create_link("lan", 10e9)->set_latency(100e-6);
    zone->add_route(client->get_netpoint(), server->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(link)});
    zone->seal();
    static double work[1];
    sg4::Actor::create("server", server, [n] {
        auto* in = sg4::Mailbox::by_name("requests");
        std::mt19937_64 rng(2);
        std::exponential_distribution<double> service(100.0);
        for (long i = 0; i < n; ++i) {
            in->get<double>();
            sg4::this_actor::execute(service(rng) * 1e9 * 0.8);
        }
    });
    sg4::Actor::create("client", client, [n] {
        auto* out = sg4::Mailbox::by_name("requests");
        std::mt19937_64 rng(1);
        std::exponential_distribution<double> gap(100.0);
        for (long i = 0; i < n; ++i) {
            sg4::this_actor::sleep_for(gap(rng));
            out->put_init(work, 1024)->detach();
        }
    });
    const auto t0 = std::chrono::steady_clock::now();
    e.run();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%ld %.3f %.0f %ld\n", n, wall, static_cast<double>(n) / wall, ru.ru_maxrss);
}
