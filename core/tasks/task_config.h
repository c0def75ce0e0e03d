#pragma once
// Reads the [task] and [corpus] tables of run and pretraining configs, with the key
// names and ranges that errors quote.
#include "core/support/config_reader.h"
#include "core/tasks/corpus.h"
#include "core/tasks/task.h"

namespace aha {
TaskOptions read_task_table(ConfigReader r);
CorpusOptions read_corpus_table(ConfigReader r);
}  // namespace aha
