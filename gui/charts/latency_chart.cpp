#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

QChart* latencyChart(const Runs& runs, Quantiles q) {
    using namespace detail;
    QChart* c = newChart(QStringLiteral("Latency quantiles per interval (successful requests)"));
    struct Pick {
        bool on;
        const char* key;
        QString label;
        QColor single;       // colour when one run is shown
        Qt::PenStyle style;  // style when runs overlay (then colour is the run's)
    };
    const Pick picks[] = {{q.p50, "p50_s", QStringLiteral("p50"), QColor(0x4e79a7), Qt::DotLine},
                          {q.p95, "p95_s", QStringLiteral("p95"), QColor(0xf28e2b), Qt::DashLine},
                          {q.p99, "p99_s", QStringLiteral("p99"), QColor(0xe15759), Qt::SolidLine}};
    for (const LoadedRun* run : runs)
        for (const Pick& p : picks) {
            if (!p.on) continue;
            const bool overlay = runs.size() > 1;
            c->addSeries(line(seriesName(runs, *run, p.label), run->view.t_s, run->view.total(p.key),
                              overlay ? run->colour : p.single, overlay ? p.style : Qt::SolidLine, 1000.0));
        }
    timeAxes(c, QStringLiteral("latency (ms)"));
    faultBands(c, runs);
    return c;
}

}  // namespace stacksim::gui
