#pragma once
#include <QChartView>
#include <QString>

// The chart widget every time-series view uses: wheel zoom, rubber-band zoom (left drag),
// pan (right or middle drag, arrow keys), reset (double click or Home), hover values as a
// tooltip, and export to PNG/SVG.
namespace stacksim::gui {

class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(QWidget* parent = nullptr);
    // Takes ownership of `chart` (the previous one is deleted) and wires hover tooltips.
    void replaceChart(QChart* chart);

protected:
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;

private:
    void showHover(const QPointF& value, bool state, const QString& series);
    bool panning_ = false;
    QPoint lastPan_;
};

// Writes any widget (a chart, the heat map, the topology) as PNG or SVG, chosen by the file
// suffix. Returns an error message, empty on success.
QString exportWidget(QWidget* widget, const QString& file);

}  // namespace stacksim::gui
