#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/strings.h"

namespace driftline {
namespace {

// %j: the message text as a JSON string literal, quotes and escapes included.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

Status InitLogging(std::string_view level_name, std::string_view format) {
  std::string lname = Lower(level_name);
  if (lname == "warning") lname = "warn";
  if (lname == "fatal") lname = "critical";
  const auto level = spdlog::level::from_str(lname);
  if (level == spdlog::level::off && lname != "off") {
    return Fail(Code::kInvalidArgument, "LOG_LEVEL '" + std::string(level_name) +
                                            "' is not one of trace, debug, info, warn, error");
  }
  if (format != "text" && format != "json") {
    return Fail(Code::kInvalidArgument,
                "LOG_FORMAT '" + std::string(format) + "' is not 'text' or 'json'");
  }

  auto logger = spdlog::stderr_color_mt("driftline");
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"msg":%j})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
  return Ok();
}

}  // namespace driftline
