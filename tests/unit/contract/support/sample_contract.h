// A small contract shaped like the lab's (an input topic, a reply queue, a retry topic with an
// exponential strategy, a dead-letter topic), used by several tests.
#pragma once

namespace driftline::contract::testing {

inline constexpr const char* kSampleContract = R"(asyncapi: 3.0.0
info:
  title: Sample orders
  version: 1.0.0
servers:
  broker:
    host: 'localhost:9092'
    protocol: kafka
  queues:
    host: 'http://localhost:4566/000000000000'
    protocol: sqs
channels:
  orders:
    address: orders-in
    servers: [{$ref: '#/servers/broker'}]
    messages:
      order: {$ref: '#/components/messages/Order'}
  accepted:
    address: orders-out
    servers: [{$ref: '#/servers/queues'}]
    messages:
      accepted: {$ref: '#/components/messages/Accepted'}
  retries:
    address: orders-retry
    servers: [{$ref: '#/servers/broker'}]
    messages:
      retry: {$ref: '#/components/messages/Retry'}
  dead:
    address: orders-dlq
    servers: [{$ref: '#/servers/broker'}]
    messages:
      dead: {$ref: '#/components/messages/Dead'}
operations:
  takeOrder:
    action: receive
    channel: {$ref: '#/channels/orders'}
    messages: [{$ref: '#/channels/orders/messages/order'}]
    reply:
      channel: {$ref: '#/channels/accepted'}
      messages: [{$ref: '#/channels/accepted/messages/accepted'}]
    x-specmatic-retry:
      channel: {$ref: '#/channels/retries'}
      messages: [{$ref: '#/channels/retries/messages/retry'}]
      maxAttempts: 3
      strategy: {type: exponential, initialDelaySeconds: 1, multiplier: 2}
    x-specmatic-dlq:
      channel: {$ref: '#/channels/dead'}
      messages: [{$ref: '#/channels/dead/messages/dead'}]
      waitTimeInSeconds: 15
components:
  schemas:
    Id: {type: string, minLength: 1}
  messages:
    Order:
      name: Order
      correlationId: {location: '$message.header#/CorrelationId'}
      headers:
        type: object
        properties:
          CorrelationId: {type: string}
        required: [CorrelationId]
      payload:
        type: object
        properties:
          id: {$ref: '#/components/schemas/Id'}
          count: {type: integer, minimum: 1}
          placedAt: {type: string, format: date-time}
        required: [id, count]
        additionalProperties: false
    Accepted:
      name: Accepted
      payload:
        type: object
        properties:
          id: {type: string}
          status: {type: string, enum: [ACCEPTED]}
          at: {type: string, format: date-time}
        required: [id, status, at]
    Retry:
      name: Retry
      payload:
        type: object
        properties:
          id: {type: string}
          retryCount: {type: integer}
        required: [id, retryCount]
    Dead:
      name: Dead
      payload:
        type: object
        properties:
          id: {type: string}
          totalRetries: {type: number}
        required: [id, totalRetries]
)";

}  // namespace driftline::contract::testing
