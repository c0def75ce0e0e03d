#pragma once
// The weights a probe of one stored sample continues from, as a combo box's items: those
// nearest the ones that drew the sample, the base model, then every checkpoint still on
// disk (the resample and anchor-map dialogs).
#include <QComboBox>

#include "core/run/run_config.h"
#include "core/run/token_alternatives.h"
#include "db/run_reader.h"

namespace aha::ui {

void fillWeightsChoice(QComboBox* box, db::RunReader& reader, int64_t runId, const RunConfig& config, int64_t sampleStep);
WeightsOnDisk chosenWeights(const QComboBox* box);

}  // namespace aha::ui
