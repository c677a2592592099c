#include "gui/topology/topology_view.hpp"

#include <QDir>
#include <QFileInfo>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainterPath>
#include <QWheelEvent>

#include <cmath>
#include <numeric>
#include <set>

#include "gui/charts/utilisation_heat_map.hpp"
#include "model/schema/loader.hpp"

namespace stacksim::gui {
namespace {

constexpr double kNodeW = 150, kNodeH = 46, kColGap = 80, kRowGap = 22, kGroupPad = 16, kGroupGap = 30;

// Relative input paths were relative to where `stacksim run` ran: try the working directory
// and each ancestor of the results file (a run under out/x/ of the repository finds them).
QString locate(const std::string& path, const std::string& resultsFile) {
    if (path.empty()) return {};
    const QString p = QString::fromStdString(path);
    if (QFileInfo(p).isAbsolute()) return QFileInfo::exists(p) ? p : QString();
    if (QFileInfo::exists(p)) return QFileInfo(p).absoluteFilePath();
    QDir dir = QFileInfo(QString::fromStdString(resultsFile)).absoluteDir();
    for (int up = 0; up < 8; ++up) {
        if (QFileInfo::exists(dir.filePath(p))) return dir.filePath(p);
        if (!dir.cdUp()) break;
    }
    return {};
}

QString zoneKey(const Service& s) {
    QStringList zones;
    for (const auto& z : s.zones) zones << QString::fromStdString(z);
    return zones.isEmpty() ? QStringLiteral("(no zone)") : QStringLiteral("zones: ") + zones.join(QStringLiteral(", "));
}

QPen edgePen(graph::ServiceEdge::Kind k) {
    using K = graph::ServiceEdge::Kind;
    QPen pen(QColor(0x555555), 1.4);
    switch (k) {
        case K::async_call:
        case K::publish:
        case K::consume: pen.setStyle(Qt::DashLine); break;
        case K::cache:
        case K::database: pen.setColor(QColor(0x4e79a7)); break;
        case K::forward: pen.setColor(QColor(0x59a14f)); break;
        case K::call: break;
    }
    return pen;
}

}  // namespace

std::optional<Topology> topologyForRun(const results::RunView& run, QString& error) {
    schema::Diagnostics diag;
    const QString experiment = locate(run.experiment, run.file);
    if (!experiment.isEmpty()) {
        // With the run's overrides, so e.g. a changed replica count shows.
        if (auto e = schema::load_experiment(experiment.toStdString(), run.overrides, diag)) return std::move(e->topology);
    }
    const QString topology = locate(run.topology, run.file);
    if (!topology.isEmpty()) {
        if (auto t = schema::load_topology(topology.toStdString(), {}, diag)) return t;
    }
    error = diag.has_errors() ? QString::fromStdString(diag.format())
                              : QStringLiteral("cannot find %1 or %2 (relative to the working directory or the results file)")
                                    .arg(QString::fromStdString(run.experiment), QString::fromStdString(run.topology));
    return std::nullopt;
}

TopologyView::TopologyView(QWidget* parent) : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
    setScene(scene_);
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setBackgroundBrush(Qt::white);
    showMessage(tr("Open a run to see its topology"));
}

void TopologyView::showMessage(const QString& text) {
    scene_->clear();
    nodes_.clear();
    edges_ = 0;
    scene_->addSimpleText(text);
}

bool TopologyView::showRun(const results::RunView* run) {
    if (!run) {
        showMessage(tr("Open a run to see its topology"));
        return false;
    }
    QString error;
    const auto t = topologyForRun(*run, error);
    if (!t) {
        showMessage(tr("Topology not available: %1").arg(error));
        return false;
    }
    showTopology(*t, run);
    return true;
}

QColor TopologyView::nodeColour(const std::string& service) const {
    const auto it = nodes_.find(service);
    return it == nodes_.end() ? QColor() : it->second;
}

void TopologyView::showTopology(const Topology& t, const results::RunView* run) {
    scene_->clear();
    nodes_.clear();
    const auto edges = graph::service_edges(t);
    edges_ = static_cast<int>(edges.size());
    // Depth = longest path from an entry (a service nobody depends on); cycles are cut by a bound.
    std::map<std::string, int> depth;
    for (const auto& [name, s] : t.services) depth[name] = 0;
    for (std::size_t pass = 0; pass < t.services.size(); ++pass) {
        bool moved = false;
        for (const auto& e : edges)
            if (depth.count(e.to) && depth[e.to] < depth[e.from] + 1 && depth[e.from] + 1 < static_cast<int>(t.services.size())) {
                depth[e.to] = depth[e.from] + 1;
                moved = true;
            }
        if (!moved) break;
    }
    // Mean utilisation over the measured intervals (after the warm-up).
    std::map<std::string, double> util;
    if (run)
        for (const auto& [name, v] : run->utilisation) {
            double sum = 0;
            int n = 0;
            for (std::size_t i = 0; i < v.size() && i < run->t_s.size(); ++i)
                if (run->t_s[i] > run->warmup_s + 1e-9 && std::isfinite(v[i])) sum += v[i], ++n;
            if (n > 0) util[name] = sum / n;
        }
    // Zone groups, top to bottom; inside a group, columns by depth.
    std::map<QString, std::vector<std::string>> groups;
    for (const auto& [name, s] : t.services) groups[zoneKey(s)].push_back(name);
    std::map<std::string, QPointF> centre;
    double y = 0;
    for (const auto& [zone, names] : groups) {
        std::map<int, int> perColumn;
        int rows = 1;
        for (const auto& n : names) rows = std::max(rows, ++perColumn[depth[n]]);
        perColumn.clear();
        int maxDepth = 0;
        for (const auto& n : names) maxDepth = std::max(maxDepth, depth[n]);
        const double height = rows * (kNodeH + kRowGap) - kRowGap + 2 * kGroupPad + 18;
        const double width = (maxDepth + 1) * (kNodeW + kColGap) - kColGap + 2 * kGroupPad;
        auto* box = scene_->addRect(-kGroupPad, y, width + 0, height, QPen(QColor(0x999999), 1, Qt::DashLine), QColor(0xf6f6f6));
        box->setZValue(-2);
        auto* label = scene_->addSimpleText(zone);
        label->setPos(-kGroupPad + 6, y + 2);
        label->setBrush(QColor(0x666666));
        for (const auto& n : names) {
            const int col = depth[n];
            const int row = perColumn[col]++;
            const double x = col * (kNodeW + kColGap) + kGroupPad - kGroupPad;
            const double ny = y + 18 + kGroupPad + row * (kNodeH + kRowGap);
            const auto u = util.find(n);
            const QColor fill = u == util.end() ? QColor(0xeeeeee) : UtilisationHeatMap::colourFor(u->second);
            auto* node = scene_->addRect(x, ny, kNodeW, kNodeH, QPen(Qt::black, 1.2), fill);
            const Service& s = t.services.at(n);
            node->setToolTip(QStringLiteral("%1 (%2)\n%3 x %4\nmean utilisation %5")
                                 .arg(QString::fromStdString(n), QString::fromLatin1(to_string(s.kind)))
                                 .arg(s.replicas)
                                 .arg(QString::fromStdString(s.machine.empty() ? "-" : s.machine))
                                 .arg(u == util.end() ? QStringLiteral("–") : QString::number(100 * u->second, 'f', 1) + QLatin1Char('%')));
            auto* text = scene_->addSimpleText(QStringLiteral("%1\n%2 · %3x%4")
                                                   .arg(QString::fromStdString(n), QString::fromLatin1(to_string(s.kind)))
                                                   .arg(s.replicas)
                                                   .arg(u == util.end() ? QString() : QStringLiteral(" · ") + QString::number(100 * u->second, 'f', 0) + QLatin1Char('%')));
            text->setPos(x + 6, ny + 5);
            text->setBrush(u != util.end() && u->second > 0.8 ? Qt::white : Qt::black);
            nodes_[n] = fill;
            centre[n] = QPointF(x + kNodeW / 2, ny + kNodeH / 2);
        }
        y += height + kGroupGap;
    }
    for (const auto& e : edges) {
        if (!centre.count(e.from) || !centre.count(e.to)) continue;
        QPointF a = centre[e.from], b = centre[e.to];
        // From the right edge of the caller to the left edge of the callee (or straight across).
        a.rx() += kNodeW / 2;
        b.rx() -= kNodeW / 2;
        QPainterPath path(a);
        const double dx = std::max(40.0, std::abs(b.x() - a.x()) / 2);
        path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
        auto* item = scene_->addPath(path, edgePen(e.kind));
        item->setZValue(-1);
        item->setToolTip(QStringLiteral("%1 → %2 (%3)").arg(QString::fromStdString(e.from), QString::fromStdString(e.to),
                                                            QString::fromLatin1(graph::to_string(e.kind))));
        // Arrow head.
        QPolygonF head;
        head << b << b + QPointF(-9, -5) << b + QPointF(-9, 5);
        scene_->addPolygon(head, edgePen(e.kind), edgePen(e.kind).color());
    }
    // Legend.
    auto* legend = scene_->addSimpleText(tr("solid: call · green: LB forward · blue: cache/database · dashed: async/publish/consume · fill: mean utilisation"));
    legend->setPos(-kGroupPad, y);
    legend->setBrush(QColor(0x444444));
    setSceneRect(scene_->itemsBoundingRect().adjusted(-20, -20, 20, 20));
    fitInView(sceneRect(), Qt::KeepAspectRatio);
}

void TopologyView::wheelEvent(QWheelEvent* e) {
    const double f = e->angleDelta().y() > 0 ? 1.2 : 1 / 1.2;
    scale(f, f);
}

}  // namespace stacksim::gui

namespace stacksim::gui {

// Fit the whole graph whenever the view gets its real size (it is built before it is shown).
void TopologyView::resizeEvent(QResizeEvent* e) {
    QGraphicsView::resizeEvent(e);
    if (!nodes_.empty()) fitInView(sceneRect(), Qt::KeepAspectRatio);
}

}  // namespace stacksim::gui
