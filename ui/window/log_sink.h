#pragma once
// An spdlog sink that hands formatted lines to the UI thread (queued), for the log panel.
#include <QObject>
#include <QString>

#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace aha::ui {

class LogBridge : public QObject {
  Q_OBJECT
 signals:
  void line(const QString& text, int level);
};

class QtLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit QtLogSink(LogBridge* bridge) : bridge_(bridge) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    QString text = QString::fromUtf8(buf.data(), static_cast<int>(buf.size())).trimmed();
    // Emitted from any thread; the connection to the panel is queued.
    emit bridge_->line(text, static_cast<int>(msg.level));
  }
  void flush_() override {}

 private:
  LogBridge* bridge_;
};

}  // namespace aha::ui
