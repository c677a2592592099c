#include "gui/charts/utilisation_heat_map.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>
#include <limits>

namespace stacksim::gui {
namespace {
constexpr int kLabelWidth = 150, kTop = 28, kBottom = 40, kRight = 70;
}

UtilisationHeatMap::UtilisationHeatMap(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(400, 200);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void UtilisationHeatMap::setRun(const results::RunView* run) {
    rows_.clear();
    values_.clear();
    t_.clear();
    faults_.clear();
    if (run) {
        t_ = run->t_s;
        for (const auto& [name, v] : run->utilisation) {
            rows_.push_back(name);
            values_.push_back(v);
        }
        for (const auto& f : run->faults) faults_.emplace_back(f.start_s, f.end_s);
        title_ = QStringLiteral("Utilisation per component — %1").arg(QString::fromStdString(run->name));
    } else {
        title_.clear();
    }
    update();
}

double UtilisationHeatMap::cell(int row, int column) const {
    if (row < 0 || row >= static_cast<int>(values_.size())) return std::numeric_limits<double>::quiet_NaN();
    const auto& v = values_[static_cast<std::size_t>(row)];
    if (column < 0 || column >= static_cast<int>(v.size())) return std::numeric_limits<double>::quiet_NaN();
    return v[static_cast<std::size_t>(column)];
}

QColor UtilisationHeatMap::colourFor(double u) {
    if (!std::isfinite(u)) return QColor(0xdddddd);
    u = std::clamp(u, 0.0, 1.0);
    // white -> amber (0.6) -> dark red (1.0): saturation is what an architect looks for.
    if (u < 0.6) {
        const double f = u / 0.6;
        return QColor::fromRgbF(static_cast<float>(1.0), static_cast<float>(1.0 - 0.25 * f), static_cast<float>(1.0 - 0.8 * f));
    }
    const double f = (u - 0.6) / 0.4;
    return QColor::fromRgbF(static_cast<float>(1.0 - 0.35 * f), static_cast<float>(0.75 - 0.7 * f), static_cast<float>(0.2 - 0.15 * f));
}

QRectF UtilisationHeatMap::plotArea() const {
    return QRectF(kLabelWidth, kTop, std::max(10, width() - kLabelWidth - kRight), std::max(10, height() - kTop - kBottom));
}

void UtilisationHeatMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    p.setPen(Qt::black);
    p.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_.isEmpty() ? QStringLiteral("Utilisation: open a run") : title_);
    if (rows_.empty() || t_.empty()) return;
    const QRectF area = plotArea();
    const double rh = area.height() / static_cast<double>(rows_.size());
    const double cw = area.width() / static_cast<double>(t_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        const double y = area.top() + static_cast<double>(r) * rh;
        p.setPen(Qt::black);
        p.drawText(QRectF(4, y, kLabelWidth - 8, rh), Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(rows_[r]));
        for (std::size_t c = 0; c < t_.size() && c < values_[r].size(); ++c)
            p.fillRect(QRectF(area.left() + static_cast<double>(c) * cw, y, cw + 0.5, rh - 1), colourFor(values_[r][c]));
    }
    // Fault intervals outlined over the map.
    const double t0 = t_.front() - (t_.size() > 1 ? t_[1] - t_[0] : t_.front());
    const double span = t_.back() - t0;
    p.setPen(QPen(QColor(0x4e79a7), 2, Qt::DashLine));
    for (const auto& [s, e] : faults_) {
        const double x0 = area.left() + (s - t0) / span * area.width(), x1 = area.left() + (e - t0) / span * area.width();
        p.drawRect(QRectF(x0, area.top(), std::max(2.0, x1 - x0), area.height()));
    }
    // Time axis.
    p.setPen(Qt::black);
    for (int k = 0; k <= 5; ++k) {
        const double x = area.left() + area.width() * k / 5.0;
        p.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 4));
        p.drawText(QRectF(x - 40, area.bottom() + 5, 80, 16), Qt::AlignHCenter, QString::number(t0 + span * k / 5.0, 'g', 4));
    }
    p.drawText(QRectF(area.left(), area.bottom() + 20, area.width(), 16), Qt::AlignHCenter, QStringLiteral("simulated time (s)"));
    // Colour scale.
    const QRectF scale(area.right() + 20, area.top(), 14, area.height());
    for (int i = 0; i < 50; ++i)
        p.fillRect(QRectF(scale.left(), scale.bottom() - (i + 1) * scale.height() / 50, scale.width(), scale.height() / 50 + 1),
                   colourFor(i / 49.0));
    p.drawText(QRectF(scale.right() + 2, scale.top() - 6, 40, 14), Qt::AlignLeft, QStringLiteral("100%"));
    p.drawText(QRectF(scale.right() + 2, scale.bottom() - 8, 40, 14), Qt::AlignLeft, QStringLiteral("0%"));
}

void UtilisationHeatMap::mouseMoveEvent(QMouseEvent* e) {
    if (rows_.empty() || t_.empty()) return;
    const QRectF area = plotArea();
    if (!area.contains(e->position())) {
        QToolTip::hideText();
        return;
    }
    const int r = static_cast<int>((e->position().y() - area.top()) / area.height() * static_cast<double>(rows_.size()));
    const int c = static_cast<int>((e->position().x() - area.left()) / area.width() * static_cast<double>(t_.size()));
    const double v = cell(r, c);
    if (!std::isfinite(v)) return;
    QToolTip::showText(e->globalPosition().toPoint(),
                       QStringLiteral("%1\nt = %2 s\nutilisation %3%")
                           .arg(QString::fromStdString(rows_[static_cast<std::size_t>(r)]))
                           .arg(t_[static_cast<std::size_t>(c)])
                           .arg(100 * v, 0, 'f', 1),
                       this);
}

}  // namespace stacksim::gui
