import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ContractError, ContractErrorCode } from './errors';
import { eventSchemas, isEventType, type EventData, type EventType } from './events';
import { checkNesting, validate } from './validation';

/** Larger messages are refused before parsing: a poison payload must not cost memory. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** A domain event as it travels: CloudEvents 1.0 structured JSON. */
export interface EventEnvelope<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time: string;
  /** The flow's correlation key, the orderId. */
  subject: string;
  datacontenttype: 'application/json';
  data: EventData<T>;
  correlationid: string;
  causationid?: string;
}

/** A message as it came off NATS, before anything is trusted. */
export interface ReceivedMessage {
  subject: string;
  body: Uint8Array | string;
  /** `Nats-Msg-Id` header, the id of a bare event (a function: read only for a bare event). */
  msgId?: string | (() => string | undefined);
  /** Stream sequence, the id of a bare event published without `Nats-Msg-Id`. */
  streamSequence?: number;
  receivedAt?: Date;
}

export const CloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(256),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.string().max(256).optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown(),
  correlationid: z.string().max(256).optional(),
  causationid: z.string().max(256).optional(),
});

/** The pattern of CloudEventSchema's `time`, as zod builds it for `z.iso.datetime({ offset: true })`. */
const ISO_DATETIME = z.core.regexes.datetime({ offset: true, local: false, precision: null });

const shortString = (value: unknown, min: number): boolean =>
  typeof value === 'string' && value.length >= min && value.length <= 256;
const optionalShort = (value: unknown): boolean => value === undefined || shortString(value, 0);

/**
 * True when `ce` certainly passes CloudEventSchema: the events every Flowscope service publishes,
 * checked with a few comparisons instead of zod's full parse (a few µs an event for the tracker).
 * False does not refuse anything: zod then decides, and names each field it refuses.
 */
export function isPlainCloudEvent(ce: Record<string, unknown>): boolean {
  return (
    ce.specversion === '1.0' &&
    shortString(ce.id, 1) &&
    shortString(ce.source, 1) &&
    typeof ce.type === 'string' &&
    ce.type.length > 0 &&
    (ce.time === undefined || (typeof ce.time === 'string' && ISO_DATETIME.test(ce.time))) &&
    optionalShort(ce.subject) &&
    (ce.datacontenttype === undefined || typeof ce.datacontenttype === 'string') &&
    // zod wants the key, whatever it holds (`data: z.unknown()` refuses an event without it)
    'data' in ce &&
    optionalShort(ce.correlationid) &&
    optionalShort(ce.causationid)
  );
}

/** The same event type and key always give the same id, so a re-publish is deduplicated by JetStream. */
export function deterministicEventId(type: string, key: string): string {
  const h = createHash('sha1').update(`flowscope/${type}/${key}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16); // RFC 9562 variant bits 10xx
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface BuildEventOptions {
  source: string;
  /** Defaults to a deterministic id from type and orderId: one event of a type per order. */
  id?: string;
  /** The event this one reacts to: gives causation and correlation ids. */
  causedBy?: Pick<EventEnvelope, 'id' | 'correlationid'>;
  time?: Date;
}

/** Validates `data` against its type's schema and wraps it in a CloudEvent. */
export function buildEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  options: BuildEventOptions,
): EventEnvelope<T> {
  const valid = validate(eventSchemas[type], data, ContractErrorCode.INVALID_EVENT, type) as EventData<T>;
  return {
    specversion: '1.0',
    id: options.id ?? deterministicEventId(type, valid.orderId),
    source: options.source,
    type,
    time: (options.time ?? new Date()).toISOString(),
    subject: valid.orderId,
    datacontenttype: 'application/json',
    data: valid,
    correlationid: options.causedBy?.correlationid ?? valid.orderId,
    ...(options.causedBy ? { causationid: options.causedBy.id } : {}),
  };
}

/** Any event as it came off NATS, before its data is checked against a schema. */
export interface RawEvent {
  id: string;
  source: string;
  type: string;
  time: string;
  data: unknown;
  correlationid?: string;
  causationid?: string;
}

/**
 * Reads the envelope of any event: a CloudEvent, or a bare JSON object as `nats pub` sends it (type
 * from the subject, id from `Nats-Msg-Id` or the stream sequence, time = receipt time). The data is
 * not checked: the process tracker also reads event types of flows that only its definitions know.
 */
export function readEnvelope(msg: ReceivedMessage): RawEvent {
  const json = decodeJson(msg.body);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ContractError(ContractErrorCode.INVALID_ENVELOPE, 'an event must be a JSON object');
  }
  const receivedAt = () => (msg.receivedAt ?? new Date()).toISOString();
  if (!('specversion' in json)) {
    const id =
      msgIdOf(msg) || (msg.streamSequence !== undefined ? `${msg.subject}#${msg.streamSequence}` : randomUUID());
    return { id, source: 'external', type: msg.subject, time: receivedAt(), data: json };
  }
  const ce = isPlainCloudEvent(json)
    ? (json as z.infer<typeof CloudEventSchema>)
    : validate(CloudEventSchema, json, ContractErrorCode.INVALID_ENVELOPE, 'CloudEvent');
  if (ce.type !== msg.subject) {
    throw new ContractError(
      ContractErrorCode.INVALID_ENVELOPE,
      `type '${ce.type}' published on subject '${msg.subject}'`,
    );
  }
  const { id, source, type, data, correlationid, causationid } = ce;
  return { id, source, type, time: ce.time ?? receivedAt(), data, correlationid, causationid };
}

/**
 * Reads a domain event off NATS (see {@link readEnvelope}) and checks its data against the schema
 * of its type. Throws a ContractError with a stable code for anything else.
 */
export function parseEvent(msg: ReceivedMessage): EventEnvelope {
  const raw = readEnvelope(msg);
  if (!isEventType(raw.type)) {
    throw new ContractError(ContractErrorCode.UNKNOWN_EVENT_TYPE, `unknown event type '${raw.type}'`);
  }
  const data = validate(eventSchemas[raw.type], raw.data, ContractErrorCode.INVALID_EVENT, raw.type);
  return {
    specversion: '1.0',
    id: raw.id,
    source: raw.source,
    type: raw.type,
    time: raw.time,
    subject: data.orderId,
    datacontenttype: 'application/json',
    data,
    correlationid: raw.correlationid ?? data.orderId,
    ...(raw.causationid ? { causationid: raw.causationid } : {}),
  };
}

const msgIdOf = (msg: ReceivedMessage): string | undefined =>
  typeof msg.msgId === 'function' ? msg.msgId() : msg.msgId;

function decodeJson(body: Uint8Array | string): unknown {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_EVENT_BYTES) {
    throw new ContractError(ContractErrorCode.OVERSIZED_MESSAGE, `message of ${size} bytes exceeds ${MAX_EVENT_BYTES}`);
  }
  // A view of the message's bytes, not a copy of them.
  const text =
    typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ContractError(ContractErrorCode.MALFORMED_JSON, `body is not JSON: ${(cause as Error).message}`, [], {
      cause,
    });
  }
  checkNesting(json, ContractErrorCode.NESTED_TOO_DEEP);
  return json;
}
