#include "core/tasks/task.h"

#include <stdexcept>

#include "core/tasks/arithmetic_task.h"
#include "core/tasks/countdown_task.h"
#include "core/tasks/dataset_task.h"

namespace aha {

std::unique_ptr<Task> make_task(const TaskOptions& options) {
  if (!options.data_file.empty() && (options.name == "dataset" || options.name == "countdown"))
    return std::make_unique<DatasetTask>(options);
  if (options.name == "arithmetic") return std::make_unique<ArithmeticTask>(options);
  if (options.name == "countdown") return std::make_unique<CountdownTask>(options);
  if (options.name == "dataset") throw std::invalid_argument("task 'dataset' needs task.data_file");
  throw std::invalid_argument("unknown task '" + options.name + "' (known: arithmetic, countdown, dataset)");
}

}  // namespace aha
