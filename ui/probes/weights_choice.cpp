#include "ui/probes/weights_choice.h"

#include <QFileInfo>

namespace aha::ui {

void fillWeightsChoice(QComboBox* box, db::RunReader& reader, int64_t runId, const RunConfig& config, int64_t sampleStep) {
  std::vector<WeightsOnDisk> stored;
  for (const auto& [step, path] : reader.checkpoints(runId))
    if (QFileInfo::exists(QString::fromStdString(path) + "/config.json")) stored.push_back({step, path});
  const auto nearest = nearest_weights(config, stored, sampleStep);
  auto add = [box](const QString& label, const WeightsOnDisk& w) {
    box->addItem(label, QVariant::fromValue(QString::number(w.step) + "\n" + QString::fromStdString(w.path)));
  };
  add(QObject::tr("nearest: %1").arg(QString::fromStdString(nearest.describe())), nearest);
  add(QObject::tr("the base model"), {0, resolve_model_path(config.model).string()});
  for (const auto& w : stored) add(QString::fromStdString(w.describe()), w);
}

WeightsOnDisk chosenWeights(const QComboBox* box) {
  const QStringList w = box->currentData().toString().split('\n');
  return {w.value(0).toLongLong(), w.value(1).toStdString()};
}

}  // namespace aha::ui
