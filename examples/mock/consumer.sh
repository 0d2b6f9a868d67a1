#!/usr/bin/env bash
# A consumer team's check against `contract-test mock`, before the real order-service exists:
# publish one order to Kafka as the upstream producer does, then read its reply from the SQS
# queue as the downstream consumer does, and check what the contract promises (the correlation
# id comes back, the orderId is the order's). Needs kcat, curl and jq, the stack and a mock:
#
#   stack/stack.sh up
#   build/bin/contract-test mock --config contracts/specmatic.yaml &
#   examples/mock/consumer.sh
#
# Environment: KAFKA (127.0.0.1:9092), SQS (http://127.0.0.1:4566), TOPIC (place-order-topic),
# QUEUE (place-order-queue), WAIT_SECONDS (20). Exit 0 with the reply printed; 1 when no reply
# came in time or it broke the promise.
set -euo pipefail

KAFKA=${KAFKA:-127.0.0.1:9092}
SQS=${SQS:-http://127.0.0.1:4566}
TOPIC=${TOPIC:-place-order-topic}
QUEUE=${QUEUE:-place-order-queue}
WAIT_SECONDS=${WAIT_SECONDS:-20}
ORDER_ID=ORD-CONSUMER-$RANDOM
CORRELATION_ID=consumer-$(date +%s%N)

# One SQS call in the JSON protocol (the local stack accepts unsigned requests).
sqs() {
  curl -sS --fail-with-body -X POST "$SQS/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: AmazonSQS.$1" -d "$2"
}

queue_url=$(sqs GetQueueUrl "$(jq -nc --arg q "$QUEUE" '{QueueName: $q}')" | jq -r .QueueUrl)

order=$(jq -nc --arg id "$ORDER_ID" '{orderType: "STANDARD", orderId: $id, customerId: "CUST-1",
  items: [{productId: "SKU-1", quantity: 2, price: 4.5}], totalAmount: 9,
  orderDate: "2026-01-20T09:15:00Z"}')
printf '%s' "$order" | kcat -P -b "$KAFKA" -t "$TOPIC" -k "$ORDER_ID" -H "CorrelationId=$CORRELATION_ID"
echo "published $ORDER_ID to $TOPIC with CorrelationId $CORRELATION_ID"

# Our reply only: other messages are left for their owners (visible again at once).
deadline=$((SECONDS + WAIT_SECONDS))
while ((SECONDS < deadline)); do
  received=$(sqs ReceiveMessage "$(jq -nc --arg u "$queue_url" '{QueueUrl: $u,
    MaxNumberOfMessages: 10, WaitTimeSeconds: 2, VisibilityTimeout: 0,
    MessageAttributeNames: ["All"]}')")
  mine=$(jq -c --arg id "$CORRELATION_ID" \
    '[.Messages[]? | select(.MessageAttributes.CorrelationId.StringValue == $id)] | first // empty' \
    <<<"$received")
  [[ -z $mine ]] && continue
  sqs DeleteMessage "$(jq -nc --arg u "$queue_url" --arg h "$(jq -r .ReceiptHandle <<<"$mine")" \
    '{QueueUrl: $u, ReceiptHandle: $h}')" >/dev/null
  body=$(jq -r .Body <<<"$mine")
  echo "reply on $QUEUE: $body"
  if [[ $(jq -r .orderId <<<"$body") != "$ORDER_ID" ]]; then
    echo "FAIL: the reply's orderId is not $ORDER_ID" >&2
    exit 1
  fi
  echo "OK: reply for $ORDER_ID with CorrelationId $CORRELATION_ID"
  exit 0
done
echo "FAIL: no reply with CorrelationId $CORRELATION_ID on $QUEUE within ${WAIT_SECONDS} s" >&2
exit 1
