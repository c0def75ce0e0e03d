#include "tests/support/suites.h"
#include "tests/ui/ui_tests.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  return aha::test::run_suites(argc, argv, {
      aha::test::suite<MainWindowTest>("main_window"),
  });
}
