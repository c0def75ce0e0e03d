#pragma once
// `aha-studio export chart ...`: paper figures from the command line, drawn by the same
// renderer as the studio's export dialog, without a display.
namespace aha::studio {
// True when argv asks for a headless command (so main must not open a window).
bool is_export_command(int argc, char** argv);
int run_export_command(int argc, char** argv);
}  // namespace aha::studio
