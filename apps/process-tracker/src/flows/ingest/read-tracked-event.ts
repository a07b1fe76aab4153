import {
  ContractError,
  eventSchemas,
  isEventType,
  readEnvelope,
  validate,
  type FlowDefinition,
  type FlowStyle,
  ContractErrorCode,
} from '@flowscope/contracts';
import { seededTraceContext } from '@flowscope/telemetry';
import type { JsMsg } from 'nats';
import { correlationKey, type DefinitionRegistry } from '../definitions/definition-registry';
import type { TrackedEvent } from '../flow-instance';

/** A message turned into what flows need: the event, and the instances (definition, key) it belongs to. */
export interface Routed {
  event: TrackedEvent;
  style?: FlowStyle;
  targets: { def: FlowDefinition; key: string }[];
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

/** Reads and routes one message, or throws a ContractError saying why the tracker refuses it. */
export function readTrackedEvent(msg: JsMsg, registry: DefinitionRegistry): Routed {
  const raw = readEnvelope({
    subject: msg.subject,
    body: msg.data,
    msgId: () => msg.headers?.get('Nats-Msg-Id') || undefined,
    streamSequence: msg.info.streamSequence,
    receivedAt: new Date(msg.info.timestampNanos / 1e6),
  });
  const defs = registry.forType(raw.type);
  if (defs.length === 0)
    throw new ContractError(ContractErrorCode.UNKNOWN_EVENT_TYPE, `no flow definition has event type '${raw.type}'`);
  // Types of the shared contracts are held to their schema; others only need a correlation value.
  const data = isEventType(raw.type)
    ? validate(eventSchemas[raw.type], raw.data, ContractErrorCode.INVALID_EVENT, raw.type)
    : raw.data;
  const targets = defs.flatMap((def) => {
    const key = correlationKey(def, data);
    return key ? [{ def, key }] : [];
  });
  if (targets.length === 0) {
    const paths = defs.map((d) => d.correlation).join(', ');
    throw new ContractError(
      ContractErrorCode.NO_CORRELATION,
      `event ${raw.type} has no usable correlation value at ${paths}`,
    );
  }
  const style = (data as { style?: unknown }).style;
  const trace = traceOf(msg, raw.correlationid ?? targets[0].key);
  return {
    event: { id: raw.id, type: registry.typeName(raw.type), at: raw.time, seq: msg.info.streamSequence, ...trace },
    ...(style === 'orchestration' || style === 'choreography' ? { style } : {}),
    targets,
  };
}

/** The producer's trace context, or the one services derive for events published without any. */
function traceOf(msg: JsMsg, seed: string): { traceId: string; spanId: string } {
  const match = TRACEPARENT.exec(traceparentOf(msg));
  return match ? { traceId: match[1], spanId: match[2] } : seededTrace(seed);
}

/** The `traceparent` header, whatever its case (one pass over the headers; nats.js's get lists them per call). */
function traceparentOf(msg: JsMsg): string {
  const headers = msg.headers;
  if (!headers) return '';
  for (const [name, values] of headers)
    if (name.length === 11 && name.toLowerCase() === 'traceparent') return values[0] ?? '';
  return '';
}

// The events of one flow arrive close together and share a seed: two hashes per event add up.
const seeded = new Map<string, { traceId: string; spanId: string }>();
function seededTrace(seed: string): { traceId: string; spanId: string } {
  let context = seeded.get(seed);
  if (!context) {
    if (seeded.size >= 10_000) seeded.clear();
    context = seededTraceContext(seed);
    seeded.set(seed, context);
  }
  return context;
}
