#pragma once
#include <QChart>
#include <QLineSeries>
#include <QString>

#include <vector>

#include "gui/charts/charts.hpp"

// Shared pieces of the chart builders: labelled axes, NaN-free line series, fault bands.
namespace stacksim::gui::detail {

// "<label> · <metric>" when several runs overlay, else "<metric>".
QString seriesName(const Runs& runs, const LoadedRun& run, const QString& metric);
// A line of (t, scale * v) skipping NaN values (intervals without requests have no quantile).
QLineSeries* line(const QString& name, const std::vector<double>& t, const std::vector<double>& v, const QColor& colour,
                  Qt::PenStyle style = Qt::SolidLine, double scale = 1.0);
// Adds value axes (x: time in s) and attaches every series to them. The y axis starts at
// yMin (lower if the data goes lower); tight: it hugs the data instead (small changes near 100 %).
void timeAxes(QChart* chart, const QString& yTitle, double yMin = 0, bool tight = false);
// Shaded bands over every fault interval of the runs (call after timeAxes: spans the y range).
void faultBands(QChart* chart, const Runs& runs);
QChart* newChart(const QString& title);

}  // namespace stacksim::gui::detail
