#include <QScatterSeries>

#include "gui/charts/chart_common.hpp"

namespace stacksim::gui {

QChart* replicasChart(const Runs& runs) {
    using namespace detail;
    QChart* c = newChart(QStringLiteral("Running instances per priced service (autoscaling, crashes)"));
    const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    int r = 0;
    for (const LoadedRun* run : runs) {
        for (const auto& [name, values] : run->view.replicas) {
            const QString n = QString::fromStdString(name);
            c->addSeries(line(seriesName(runs, *run, n), run->view.t_s, values, nameColour(n), styles[r % 4]));
        }
        // Scale decisions as markers on the line they changed.
        auto* scale = new QScatterSeries;
        scale->setName(seriesName(runs, *run, QStringLiteral("scale events")));
        scale->setMarkerSize(9);
        scale->setColor(run->colour);
        for (const auto& e : run->view.control)
            if (e.kind == "scale_up" || e.kind == "scale_down") {
                const auto it = run->view.replicas.find(e.service);
                double y = 0;
                if (it != run->view.replicas.end())
                    for (std::size_t i = 0; i < run->view.t_s.size() && i < it->second.size(); ++i)
                        if (run->view.t_s[i] >= e.t_s) {
                            y = it->second[i];
                            break;
                        }
                scale->append(e.t_s, y);
            }
        if (scale->count() > 0) c->addSeries(scale);
        else delete scale;
        ++r;
    }
    timeAxes(c, QStringLiteral("instances"));
    faultBands(c, runs);
    return c;
}

}  // namespace stacksim::gui
