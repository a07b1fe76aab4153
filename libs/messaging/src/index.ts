// Public surface of @flowscope/messaging: transport only (NATS connection, JetStream publisher, the
// delivery pipeline behind the Nest transport, request/reply, dead letters, streams and KV helpers).
// Order-specific pieces and the failure flags live in @flowscope/fulfilment.
export { NatsClient } from './nats-client';
export { MessagingModule } from './messaging.module';
export type { MessagingModuleOptions } from './messaging.module';
export { EventPublisher } from './event-publisher';
export type { PublishOptions } from './event-publisher';
export { JetStreamEventServer, durableName } from './jetstream-event-server';
export type { EventHandlerExtras, JetStreamEventServerOptions } from './jetstream-event-server';
export { JetStreamContext } from './jetstream-context';
export { DeliveryPipeline } from './delivery/delivery-pipeline';
export type { DeliveryPipelineOptions, DeliveryTarget } from './delivery/delivery-pipeline';
export { parseDelivery } from './delivery/parse-delivery';
export type { ParsedDelivery } from './delivery/parse-delivery';
export { reachesHandler } from './delivery/style-filter';
export { Turns } from './delivery/turns';
export { invokeInConsumerSpan } from './delivery/invoke-handler';
export type { HandlerCall } from './delivery/invoke-handler';
export { Settlement } from './delivery/settle';
export type { DeliveryOutcome } from './delivery/settle';
export { DurableConsumption } from './durable-consumption';
export type { DurableConsumptionOptions } from './durable-consumption';
export { ConsumerLagPoller, consumerLagMetrics } from './consumer-lag';
export type { ConsumerLagOptions } from './consumer-lag';
export { CommandClient } from './command-client';
export type { SendCommandOptions } from './command-client';
export { CommandContext, CommandResponder } from './command-responder';
export { DeadLetters, DLQ_HEADERS } from './dead-letters';
export type { DeadLetterReason, RefusedMessage } from './dead-letters';
export { JsonKv, isRevisionConflict } from './json-kv';
export type { Versioned } from './json-kv';
export { ensureDurable, ensureStreams, streamConfigs } from './streams';
export { messagingMetrics } from './metrics';
export { defaultRedeliveryPolicy, RetryLaterError } from './redelivery';
export type { RedeliveryPolicy } from './redelivery';
export { jetStreamReplicas } from './replicas';
