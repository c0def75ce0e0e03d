#include "ui/probes/weights_choice.h"

#include <QFileInfo>

namespace aha::ui {

QString readSampleConfig(db::RunReader& reader, const std::optional<db::SampleRow>& sample, qint64 sampleId,
                         RunConfig& config) {
  if (!sample) return QObject::tr("No sample %1 in this database.").arg(sampleId);
  const auto run = reader.run(sample->run_id);
  try {
    config = RunConfig::from_toml(run->config_toml, "run '" + run->name + "'");
  } catch (const std::exception& e) {
    return QObject::tr("The run's stored config does not read here: %1").arg(QString::fromStdString(e.what()));
  }
  return {};
}

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
