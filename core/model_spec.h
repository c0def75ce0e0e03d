#pragma once
// Reads the [model] table shared by pretraining configs: the architecture of the
// built-in tiny model.
#include "core/config_reader.h"
#include "core/model_config.h"
#include "core/task.h"
#include "core/corpus.h"

namespace aha {
ModelConfig read_model_table(ConfigReader r, int vocab_size);
TaskOptions read_task_table(ConfigReader r);
CorpusOptions read_corpus_table(ConfigReader r);
}  // namespace aha
