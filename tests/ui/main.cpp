#include "tests/support/suites.h"
#include "tests/ui/ui_tests.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("aha-studio-tests");
  QApplication::setApplicationName("aha-studio-tests");
  return aha::test::run_suites(argc, argv, {
      aha::test::suite<MainWindowTest>("main_window"),
      aha::test::suite<NewRunDialogTest>("new_run_dialog"),
      aha::test::suite<SeriesMathTest>("series_math"),
      aha::test::suite<TraceBrowserTest>("trace_browser"),
      aha::test::suite<FigureTest>("figure"),
      aha::test::suite<GainDialogTest>("gain_dialog"),
      aha::test::suite<AnchorDialogTest>("anchor_dialog"),
  });
}
