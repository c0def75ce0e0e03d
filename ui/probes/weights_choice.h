#pragma once
// What the dialogs that continue one stored sample (resample, anchor map) read first: the
// run's stored config, and the weights to continue from as a combo box's items (those
// nearest the ones that drew the sample, the base model, then every checkpoint on disk).
#include <QComboBox>
#include <QString>

#include <optional>

#include "core/run/run_config.h"
#include "core/run/token_alternatives.h"
#include "db/run_reader.h"

namespace aha::ui {

// The config of the sample's run into `config`; else why not, for the dialog's header
// (no such sample, or a config this build cannot read). Empty when all is well.
QString readSampleConfig(db::RunReader& reader, const std::optional<db::SampleRow>& sample, qint64 sampleId,
                         RunConfig& config);

void fillWeightsChoice(QComboBox* box, db::RunReader& reader, int64_t runId, const RunConfig& config, int64_t sampleStep);
WeightsOnDisk chosenWeights(const QComboBox* box);

}  // namespace aha::ui
