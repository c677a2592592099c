#include "gui/charts/chart_view.hpp"

#include <QAbstractSeries>
#include <QAreaSeries>
#include <QFileInfo>
#include <QImage>
#include <QKeyEvent>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>

namespace stacksim::gui {

ChartView::ChartView(QWidget* parent) : QChartView(parent) {
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::RectangleRubberBand);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 220);
}

void ChartView::replaceChart(QChart* chart) {
    QChart* old = this->chart();
    setChart(chart);
    delete old;
    for (QAbstractSeries* s : chart->series()) {
        const QString name = s->name();
        if (auto* xy = qobject_cast<QXYSeries*>(s))
            connect(xy, &QXYSeries::hovered, this, [this, name](const QPointF& p, bool state) { showHover(p, state, name); });
        else if (auto* area = qobject_cast<QAreaSeries*>(s))  // fault bands: which fault
            connect(area, &QAreaSeries::hovered, this, [this, name](const QPointF& p, bool state) { showHover(p, state, name); });
    }
}

void ChartView::showHover(const QPointF& value, bool state, const QString& series) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(QCursor::pos(), QStringLiteral("%1\nt = %2\n%3").arg(series).arg(value.x(), 0, 'g', 6).arg(value.y(), 0, 'g', 5), this);
}

void ChartView::wheelEvent(QWheelEvent* e) {
    if (!chart()) return;
    chart()->zoom(e->angleDelta().y() > 0 ? 1.25 : 0.8);
    e->accept();
}

void ChartView::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::RightButton || e->button() == Qt::MiddleButton) {
        panning_ = true;
        lastPan_ = e->pos();
        e->accept();
        return;
    }
    QChartView::mousePressEvent(e);
}

void ChartView::mouseMoveEvent(QMouseEvent* e) {
    if (panning_ && chart()) {
        const QPoint d = e->pos() - lastPan_;
        chart()->scroll(-d.x(), d.y());
        lastPan_ = e->pos();
        e->accept();
        return;
    }
    QChartView::mouseMoveEvent(e);
}

void ChartView::mouseReleaseEvent(QMouseEvent* e) {
    if (panning_) {
        panning_ = false;
        e->accept();
        return;
    }
    // Right click without a drag must not zoom out (QChartView's default).
    if (e->button() == Qt::RightButton) return;
    QChartView::mouseReleaseEvent(e);
}

void ChartView::mouseDoubleClickEvent(QMouseEvent*) {
    if (chart()) chart()->zoomReset();
}

void ChartView::keyPressEvent(QKeyEvent* e) {
    if (!chart()) return;
    switch (e->key()) {
        case Qt::Key_Plus: chart()->zoomIn(); break;
        case Qt::Key_Minus: chart()->zoomOut(); break;
        case Qt::Key_Left: chart()->scroll(-20, 0); break;
        case Qt::Key_Right: chart()->scroll(20, 0); break;
        case Qt::Key_Up: chart()->scroll(0, 20); break;
        case Qt::Key_Down: chart()->scroll(0, -20); break;
        case Qt::Key_Home: chart()->zoomReset(); break;
        default: QChartView::keyPressEvent(e); return;
    }
    e->accept();
}

QString exportWidget(QWidget* widget, const QString& file) {
    if (!widget) return QStringLiteral("nothing to export");
    const QSize size = widget->size().isEmpty() ? QSize(1000, 600) : widget->size();
    if (widget->size().isEmpty()) widget->resize(size);
    const QString suffix = QFileInfo(file).suffix().toLower();
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(widget->windowTitle());
        QPainter p;
        if (!p.begin(&svg)) return QStringLiteral("%1: cannot write").arg(file);
        widget->render(&p);
        p.end();
        return QFileInfo(file).size() > 0 ? QString() : QStringLiteral("%1: nothing was written").arg(file);
    }
    if (suffix != QLatin1String("png")) return QStringLiteral("%1: choose a .png or .svg file name").arg(file);
    QImage image(size * 2, QImage::Format_ARGB32);
    image.setDevicePixelRatio(2);
    image.fill(Qt::white);
    QPainter p(&image);
    widget->render(&p);
    p.end();
    return image.save(file, "PNG") ? QString() : QStringLiteral("%1: cannot write").arg(file);
}

}  // namespace stacksim::gui
