/*
 * Attribute names this library writes.
 *
 * The messaging attributes are still "incubating" in @opentelemetry/semantic-conventions, and that
 * entry point may rename or drop them in any minor release; like the opentelemetry-js-contrib
 * instrumentations, we copy the few we use instead of importing them. (The `/incubating` subpath
 * also does not resolve under this repo's `moduleResolution: node`.)
 */
export { ATTR_ERROR_TYPE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;

export const MESSAGING_SYSTEM_VALUE_NATS = 'nats' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_SEND = 'send' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_PROCESS = 'process' as const;

// Project-specific attributes (ARCHITECTURE.md, "Telemetry conventions"): business ids belong in
// spans and logs, never in metric labels.
export const ATTR_FLOWSCOPE_ORDER_ID = 'flowscope.order.id' as const;
export const ATTR_FLOWSCOPE_FLOW_STYLE = 'flowscope.flow.style' as const;
export const ATTR_FLOWSCOPE_SAGA_COMPENSATING = 'flowscope.saga.compensating' as const;
