#pragma once
#include <QWidget>

#include <string>
#include <vector>

#include "model/results/results_view.hpp"

// Utilisation per component as a heat map: one row per component, one column per interval,
// colour from white (idle) through amber to dark red (saturated). Hover shows the value.
namespace stacksim::gui {

class UtilisationHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit UtilisationHeatMap(QWidget* parent = nullptr);
    void setRun(const results::RunView* run);  // not owned; nullptr clears

    [[nodiscard]] const std::vector<std::string>& rows() const { return rows_; }
    // The value drawn in a cell (NaN outside), for tests and tooltips.
    [[nodiscard]] double cell(int row, int column) const;
    [[nodiscard]] int columns() const { return static_cast<int>(t_.size()); }
    static QColor colourFor(double utilisation);

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    [[nodiscard]] QRectF plotArea() const;
    std::vector<std::string> rows_;
    std::vector<std::vector<double>> values_;
    std::vector<double> t_;
    std::vector<std::pair<double, double>> faults_;
    QString title_;
};

}  // namespace stacksim::gui
