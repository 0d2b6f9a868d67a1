#include "kafka/admin.h"

#include <array>

#include "kafka/client.h"
#include "kafka/consumer.h"
#include "kafka/error.h"

namespace driftline::kafka {
namespace {

// librdkafka's own deadline for the request plus this much for the result to reach us.
constexpr std::chrono::milliseconds kResultMargin{2000};

struct TopicOutcome {
  std::string name;
  rd_kafka_resp_err_t err;
  std::string detail;
};

// Folds per-topic failures into one Error, skipping the codes that count as success.
Status Summarise(std::string_view what, const std::vector<TopicOutcome>& outcomes,
                 rd_kafka_resp_err_t counts_as_success) {
  std::optional<Code> code;
  std::string message(what);
  for (const auto& outcome : outcomes) {
    if (outcome.err == RD_KAFKA_RESP_ERR_NO_ERROR || outcome.err == counts_as_success) {
      continue;
    }
    message += code ? "; " : ": ";
    message += outcome.name + ": " + outcome.detail + " (" + rd_kafka_err2name(outcome.err) + ")";
    if (!code) {
      code = CodeFor(outcome.err);
    }
  }
  if (code) {
    return Fail(*code, std::move(message));
  }
  return Ok();
}

// Options with both deadlines set to `timeout`.
Result<AdminOptionsHandle> Options(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                                   std::chrono::milliseconds timeout) {
  AdminOptionsHandle options(rd_kafka_AdminOptions_new(rk, op));
  std::array<char, 512> errstr{};
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), internal::TimeoutMs(timeout),
                                                errstr.data(), errstr.size()) ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), internal::TimeoutMs(timeout),
                                                  errstr.data(), errstr.size())) {
    return Fail(Code::kInvalidArgument, std::string("admin timeout: ") + errstr.data());
  }
  return options;
}

// Waits for the result event of a request sent to `queue`.
Result<EventHandle> AwaitResult(rd_kafka_queue_t* queue, std::string_view what,
                                std::chrono::milliseconds timeout) {
  EventHandle event(rd_kafka_queue_poll(queue, internal::TimeoutMs(timeout + kResultMargin)));
  if (!event) {
    return Fail(Code::kDeadlineExceeded, std::string(what) + ": no answer within " +
                                             std::to_string(timeout.count()) + " ms");
  }
  if (const auto err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(Error(CodeFor(err), std::string(what) + ": " +
                                                  rd_kafka_event_error_string(event.get()) + " (" +
                                                  rd_kafka_err2name(err) + ")"));
  }
  return event;
}

std::vector<TopicOutcome> Outcomes(const rd_kafka_topic_result_t** results, std::size_t count) {
  std::vector<TopicOutcome> out;
  for (std::size_t i = 0; i < count; ++i) {
    const char* detail = rd_kafka_topic_result_error_string(results[i]);
    const auto err = rd_kafka_topic_result_error(results[i]);
    out.push_back({rd_kafka_topic_result_name(results[i]), err,
                   detail != nullptr ? detail : rd_kafka_err2str(err)});
  }
  return out;
}

// Sends a topic request (`send(options, queue)`), waits for its result event and folds the
// per-topic outcomes (`topics_of(event, &count)`) into one Status.
template <typename Send, typename TopicsOf>
Status TopicRequest(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::string_view what,
                    std::chrono::milliseconds timeout, rd_kafka_resp_err_t counts_as_success,
                    Send send, TopicsOf topics_of) {
  auto options = Options(rk, op, timeout);
  if (!options) {
    return tl::unexpected(std::move(options.error()));
  }
  const QueueHandle queue(rd_kafka_queue_new(rk));
  send(options->get(), queue.get());
  auto event = AwaitResult(queue.get(), what, timeout);
  if (!event) {
    return tl::unexpected(std::move(event.error()));
  }
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = topics_of(event->get(), &count);
  return Summarise(what, Outcomes(results, count), counts_as_success);
}

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Create(const Properties& props) {
  Properties effective = props;
  effective.SetDefault("allow.auto.create.topics", "false");
  // The handle is a producer; the consumer-only properties are for CommittedOffsets().
  auto conf = effective.For(ClientRole::kProducer).ToConf();
  if (!conf) {
    return tl::unexpected(std::move(conf.error()));
  }
  internal::RouteLogsAndErrors(conf->get());
  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) {
    return tl::unexpected(std::move(rk.error()));
  }
  std::unique_ptr<Admin> admin(new Admin(std::move(effective)));
  admin->rk_ = std::move(*rk);
  return admin;
}

Status Admin::CreateTopics(const std::vector<NewTopic>& topics, std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_.get(), 0);  // serve queued error events (logged)
  std::vector<NewTopicHandle> owned;
  std::vector<rd_kafka_NewTopic_t*> borrowed;
  for (const auto& topic : topics) {
    std::array<char, 512> errstr{};
    NewTopicHandle created(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                 topic.replication_factor, errstr.data(),
                                                 errstr.size()));
    if (!created) {
      return Fail(Code::kInvalidArgument, "create topic " + topic.name + ": " + errstr.data());
    }
    for (const auto& [name, value] : topic.configs) {
      if (const auto err = rd_kafka_NewTopic_set_config(created.get(), name.c_str(), value.c_str());
          err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return tl::unexpected(FromKafka(err, "create topic " + topic.name + ": config " + name));
      }
    }
    borrowed.push_back(created.get());
    owned.push_back(std::move(created));
  }
  if (borrowed.empty()) {
    return Ok();
  }
  return TopicRequest(
      rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, "create topics", timeout,
      RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
        rd_kafka_CreateTopics(rk_.get(), borrowed.data(), borrowed.size(), options, queue);
      },
      [](rd_kafka_event_t* event, std::size_t* count) {
        return rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event),
                                                   count);
      });
}

Status Admin::DeleteTopics(const std::vector<std::string>& topics,
                           std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_.get(), 0);  // serve queued error events (logged)
  std::vector<DeleteTopicHandle> owned;
  std::vector<rd_kafka_DeleteTopic_t*> borrowed;
  for (const auto& topic : topics) {
    owned.emplace_back(rd_kafka_DeleteTopic_new(topic.c_str()));
    borrowed.push_back(owned.back().get());
  }
  if (borrowed.empty()) {
    return Ok();
  }
  return TopicRequest(
      rk_.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, "delete topics", timeout,
      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
        rd_kafka_DeleteTopics(rk_.get(), borrowed.data(), borrowed.size(), options, queue);
      },
      [](rd_kafka_event_t* event, std::size_t* count) {
        return rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event),
                                                   count);
      });
}

Result<std::int32_t> Admin::PartitionCount(const std::string& topic,
                                           std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_.get(), 0);
  return internal::PartitionCount(rk_.get(), topic, timeout);
}

Result<std::map<std::int32_t, std::int64_t>> Admin::EndOffsets(const std::string& topic,
                                                               std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_.get(), 0);
  return internal::HighWatermarks(rk_.get(), topic, timeout);
}

Result<std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>> Admin::Watermarks(
    const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_poll(rk_.get(), 0);
  return internal::Watermarks(rk_.get(), topic, timeout);
}

Result<std::map<std::int32_t, std::int64_t>> Admin::CommittedOffsets(
    const std::string& group, const std::string& topic, std::chrono::milliseconds timeout) {
  auto count = PartitionCount(topic, timeout);
  if (!count) {
    return tl::unexpected(std::move(count.error()));
  }
  auto consumer = Consumer::Create(props_, group);
  if (!consumer) {
    return tl::unexpected(std::move(consumer.error()));
  }
  std::vector<TopicPartition> partitions;
  for (std::int32_t p = 0; p < *count; ++p) {
    partitions.push_back({topic, p});
  }
  auto committed = (*consumer)->Committed(partitions, timeout);
  if (!committed) {
    return tl::unexpected(std::move(committed.error()));
  }
  std::map<std::int32_t, std::int64_t> out;
  for (const auto& tpo : *committed) {
    out[tpo.partition] = tpo.offset;
  }
  return out;
}

}  // namespace driftline::kafka
