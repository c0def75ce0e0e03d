#include "ui/charts/export_dialog.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <qcustomplot.h>

#include <set>

#include "core/run/metric_display.h"
#include "core/run/step_metrics.h"
#include "db/run_reader.h"

namespace aha::ui {
namespace {
// A list of check boxes; `shown` gives the text a person reads for an item (a metric's
// display name, core/run/metric_display.h), the item keeps its name.
QListWidget* checkList(QWidget* parent, const QStringList& items, const QStringList& checked,
                       QString (*shown)(const QString&) = nullptr) {
  auto* list = new QListWidget(parent);
  for (const auto& name : items) {
    auto* item = new QListWidgetItem(shown ? shown(name) : name, list);
    item->setData(Qt::UserRole, name);
    item->setToolTip(name);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked.contains(name) ? Qt::Checked : Qt::Unchecked);
  }
  return list;
}
QStringList checkedOf(const QListWidget* list) {
  QStringList out;
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->checkState() == Qt::Checked) out << list->item(i)->data(Qt::UserRole).toString();
  return out;
}
QString metricShown(const QString& metric) {
  return QString::fromStdString(metric_display(metric.toStdString()).label) + "  \u2014 " + metric;
}
}  // namespace

ExportDialog::ExportDialog(const QString& dbPath, const QStringList& runs, const QStringList& metrics,
                           double smoothing, QWidget* parent)
    : QDialog(parent), dbPath_(dbPath) {
  setWindowTitle(tr("Export Chart"));
  // Chosen metrics first, in the order given: the order of the charts in the grid.
  QStringList allRuns, allMetrics = metrics;
  QStringList groupKeys = {"", "loss_type", "scale_rewards", "adv_estimator", "learning_rate", "beta", "epsilon"};
  std::set<std::string> seen;
  for (const auto& m : metrics) seen.insert(m.toStdString());
  try {
    db::RunReader reader(dbPath.toStdString());
    for (const auto& r : reader.runs()) {
      allRuns << QString::fromStdString(r.name);
      // A sweep's grid keys first among the choices of "Group by".
      for (const auto& key : QJsonDocument::fromJson(QByteArray::fromStdString(r.sweep_values)).object().keys())
        if (key != "seed" && !groupKeys.contains(key)) groupKeys.insert(1, key);
      for (const auto& m : reader.metric_names(r.id)) {
        // The aha quality chart, where its series are (one name everywhere: aha_quality).
        if (m == aha_quality_series()[0].metric && seen.insert(kAhaQuality).second) allMetrics << kAhaQuality;
        if (seen.insert(m).second) allMetrics << QString::fromStdString(m);
      }
    }
  } catch (const std::exception&) {
    // An unreadable database shows as empty lists; save() reports the error.
  }
  runs_ = checkList(this, allRuns, runs);
  runs_->setMaximumHeight(110);
  metrics_ = checkList(this, allMetrics, metrics, metricShown);
  metrics_->setMinimumHeight(180);  // and it grows with the dialog
  preset_ = new QComboBox(this);
  for (const auto& p : figurePresets()) preset_->addItem(QString("%1 (%2 in)").arg(p.name).arg(p.widthIn), p.name);
  width_ = new QDoubleSpinBox(this);
  height_ = new QDoubleSpinBox(this);
  for (auto* s : {width_, height_}) {
    s->setRange(0, 40);
    s->setDecimals(2);
    s->setSingleStep(0.25);
    s->setSuffix(tr(" in"));
    s->setSpecialValueText(tr("preset"));
  }
  font_ = new QFontComboBox(this);
  font_->setCurrentFont(QFont("DejaVu Sans"));
  fontSize_ = new QSpinBox(this);
  fontSize_->setRange(0, 40);
  fontSize_->setSuffix(tr(" pt"));
  fontSize_->setSpecialValueText(tr("preset"));
  legend_ = new QComboBox(this);
  legend_->addItems({"above", "top-left", "top-right", "bottom-left", "bottom-right", "none"});
  smoothing_ = new QDoubleSpinBox(this);
  smoothing_->setRange(0, 0.99);
  smoothing_->setSingleStep(0.05);
  smoothing_->setValue(smoothing);
  raw_ = new QCheckBox(tr("raw series faint behind the smoothed line"), this);
  raw_->setChecked(true);
  bands_ = new QCheckBox(tr("bands (reward ±std, length p10–p90, seeds ±std)"), this);
  bands_->setChecked(true);
  wallTime_ = new QCheckBox(tr("x axis in wall time (minutes)"), this);
  seeds_ = new QCheckBox(tr("runs that differ only in seed: mean with a ±std band"), this);
  groupBy_ = new QComboBox(this);
  groupBy_->setEditable(true);
  groupBy_->addItems(groupKeys);
  groupBy_->setItemText(0, "");
  groupBy_->setToolTip(tr("A config or sweep key (loss_type): one line per value, the mean of its runs with a "
                          "±std band across them; empty draws a line per run"));
  columns_ = new QSpinBox(this);
  columns_->setRange(0, 6);
  columns_->setSpecialValueText(tr("auto"));
  dpi_ = new QSpinBox(this);
  dpi_->setRange(30, 2400);
  dpi_->setValue(300);
  dpi_->setToolTip(tr("PNG only; PDF and SVG are vector"));
  format_ = new QComboBox(this);
  format_->addItems({"pdf", "svg", "png"});

  auto* form = new QFormLayout;
  form->addRow(tr("Runs"), runs_);
  form->addRow(tr("Metrics"), metrics_);
  form->addRow(tr("Preset"), preset_);
  form->addRow(tr("Width"), width_);
  form->addRow(tr("Row height"), height_);
  form->addRow(tr("Font"), font_);
  form->addRow(tr("Font size"), fontSize_);
  form->addRow(tr("Legend"), legend_);
  form->addRow(tr("Smoothing"), smoothing_);
  form->addRow(raw_);
  form->addRow(bands_);
  form->addRow(wallTime_);
  form->addRow(seeds_);
  form->addRow(tr("Group by"), groupBy_);
  form->addRow(tr("Charts per row"), columns_);
  form->addRow(tr("PNG DPI"), dpi_);
  form->addRow(tr("Format"), format_);

  preview_ = new QLabel(this);
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setStyleSheet("background:#888");
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(preview_);
  scroll->setWidgetResizable(true);
  scroll->setMinimumSize(560, 360);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    const QString ext = format_->currentText();
    QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), "figure." + ext,
                                                QString("%1 (*.%2)").arg(ext.toUpper(), ext));
    if (path.isEmpty()) return;
    path = withFormat(path, ext);
    const QString error = save(path);
    message_->setText(error.isEmpty() ? tr("Saved %1 and %1.json").arg(path) : error);
  });

  auto* right = new QVBoxLayout;
  right->addWidget(new QLabel(tr("Preview at the exact output size:"), this));
  right->addWidget(scroll, 1);
  right->addWidget(message_);
  right->addWidget(buttons);
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(right, 1);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(200);
  connect(debounce_, &QTimer::timeout, this, &ExportDialog::updatePreview);
  auto later = [this] { debounce_->start(); };
  for (auto* list : {runs_, metrics_}) connect(list, &QListWidget::itemChanged, this, later);
  for (auto* box : {preset_, legend_}) connect(box, &QComboBox::currentIndexChanged, this, later);
  for (auto* s : {width_, height_, smoothing_}) connect(s, &QDoubleSpinBox::valueChanged, this, later);
  for (auto* s : {fontSize_, columns_}) connect(s, &QSpinBox::valueChanged, this, later);
  for (auto* c : {raw_, bands_, wallTime_, seeds_}) connect(c, &QCheckBox::toggled, this, later);
  connect(font_, &QFontComboBox::currentFontChanged, this, later);
  connect(groupBy_, &QComboBox::currentTextChanged, this, later);
  updatePreview();
}

FigureRequest ExportDialog::request() const {
  FigureRequest r;
  r.dbPath = dbPath_;
  r.runs = checkedOf(runs_);
  r.metrics = checkedOf(metrics_);
  const bool wholeSweep = !sweep_.isEmpty() && r.runs.size() == sweepMembers_.size() &&
                          std::all_of(r.runs.begin(), r.runs.end(), [&](const QString& n) { return sweepMembers_.contains(n); });
  if (wholeSweep) r.sweep = sweep_, r.runs.clear();
  auto& o = r.options;
  o.preset = preset_->currentData().toString();
  o.widthIn = width_->value();
  o.heightIn = height_->value();
  o.fontFamily = font_->currentFont().family();
  o.fontPt = fontSize_->value();
  o.legend = legend_->currentText();
  o.smoothing = smoothing_->value();
  o.showRaw = raw_->isChecked();
  o.bands = bands_->isChecked();
  o.wallTime = wallTime_->isChecked();
  o.aggregateSeeds = seeds_->isChecked();
  o.groupBy = groupBy_->currentText().trimmed();
  o.columns = columns_->value();
  o.dpi = dpi_->value();
  return r;
}

void ExportDialog::updatePreview() {
  const FigureRequest r = request();
  if (r.metrics.isEmpty() || r.runs.isEmpty()) {
    preview_->setPixmap({});
    preview_->setText(tr("Choose at least one run and one metric."));
    return;
  }
  try {
    db::RunReader reader(r.dbPath.toStdString());
    QCustomPlot plot;
    buildFigure(&plot, reader, r);
    const QSizeF in = figureSizeInches(r);
    // Physical size on this screen: inches x the screen's logical DPI.
    const double dpi = screen() ? screen()->logicalDotsPerInch() : 96.0;
    const int w = static_cast<int>(std::lround(in.width() * 72)), h = static_cast<int>(std::lround(in.height() * 72));
    preview_->setPixmap(plot.toPixmap(w, h, dpi / 72.0));
    message_->clear();
  } catch (const std::exception& e) {
    preview_->setPixmap({});
    message_->setText(QString::fromStdString(e.what()));
  }
}

QString ExportDialog::save(const QString& path) {
  try {
    renderFigure(request(), path);
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

QString ExportDialog::withFormat(const QString& path, const QString& chosen) {
  // A typed extension of a format we write wins ("fig.pdf" with PNG chosen is a PDF);
  // any other name gets the chosen format's.
  const QString typed = QFileInfo(path).suffix().toLower();
  if (typed == "pdf" || typed == "svg" || typed == "png") return path;
  return path + "." + chosen;
}

}  // namespace aha::ui
