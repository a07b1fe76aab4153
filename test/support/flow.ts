// Helpers that look at a running Flowscope through its public surfaces: the orders API, the
// EVENTS and DLQ streams, and Jaeger's HTTP API.
import { DLQ_STREAM, EVENTS_STREAM } from '@flowscope/contracts';
import type { JetStreamManager, MsgHdrs } from 'nats';
import { httpJson, waitFor } from '../../deploy/launch/probe';
import type { FlowscopeSystem } from '../../deploy/launch/system';
import { findTraces } from './jaeger-api';
import { getTraceOtlp, otlpAttr, type OtlpResolvedSpan } from './jaeger-otlp-api';

export interface OrderView {
  orderId: string;
  status: 'placed' | 'completed' | 'cancelled';
  reason?: string;
  notifiedAt?: string;
  [key: string]: unknown;
}

export async function placeOrder(system: FlowscopeSystem, body: Record<string, unknown>): Promise<string> {
  const res = await httpJson<{ orderId: string }>(`${system.app('orders').url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.orderId;
}

/** Waits until the order is completed or cancelled and the customer was told. */
export function waitForOutcome(system: FlowscopeSystem, orderId: string, timeoutMs = 30_000): Promise<OrderView> {
  return waitFor(
    async () => {
      const res = await httpJson<OrderView>(`${system.app('orders').url}/orders/${orderId}`);
      return res.status === 200 && res.body.status !== 'placed' && res.body.notifiedAt ? res.body : undefined;
    },
    { timeoutMs, what: `order ${orderId} to end and its customer to be notified` },
  );
}

/** Every message of a stream, oldest first (fine for the few hundred a test makes). */
export async function streamMessages(
  jsm: JetStreamManager,
  stream: string,
): Promise<{ subject: string; data: Uint8Array; headers?: MsgHdrs }[]> {
  const { state } = await jsm.streams.info(stream);
  const out = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (msg) out.push({ subject: msg.subject, data: msg.data, headers: msg.header });
  }
  return out;
}

/** The event types stored for an order, sorted. */
export async function eventTypesOf(jsm: JetStreamManager, orderId: string): Promise<string[]> {
  const messages = await streamMessages(jsm, EVENTS_STREAM);
  return messages
    .filter((m) => {
      try {
        const body = JSON.parse(Buffer.from(m.data).toString()) as { data?: { orderId?: string }; orderId?: string };
        return (body.data?.orderId ?? body.orderId) === orderId;
      } catch {
        return false; // the poison messages a test published
      }
    })
    .map((m) => m.subject)
    .sort();
}

/** Quiescence: every durable consumer on EVENTS has nothing pending and nothing unacknowledged. */
export function waitForQuiet(jsm: JetStreamManager, timeoutMs = 30_000): Promise<true> {
  return waitFor(
    async () => {
      const consumers = await jsm.consumers.list(EVENTS_STREAM).next();
      return consumers.every((c) => c.num_pending === 0 && c.num_ack_pending === 0) || undefined;
    },
    { timeoutMs, what: 'every consumer of EVENTS to have handled everything' },
  );
}

export function dlqMessages(jsm: JetStreamManager) {
  return streamMessages(jsm, DLQ_STREAM);
}

/**
 * The order's trace from Jaeger (API v3, parent ids and links as exported), once it holds at least
 * the expected span names. Also checks that the order id tags exactly one trace.
 */
export async function orderTrace(
  system: FlowscopeSystem,
  orderId: string,
  expected: string[],
  timeoutMs = 30_000,
): Promise<OtlpResolvedSpan[]> {
  const queryUrl = system.jaeger!.queryUrl;
  return waitFor(
    async () => {
      const traces = await findTraces(queryUrl, { service: 'orders', tags: { 'flowscope.order.id': orderId } });
      if (traces.length !== 1) return undefined;
      const spans = await getTraceOtlp(queryUrl, traces[0].traceID);
      const names = new Set(spans?.map((s) => `${s.serviceName}: ${s.name}`));
      return spans && expected.every((e) => names.has(e)) ? spans : undefined;
    },
    { timeoutMs, what: `one trace for order ${orderId} holding ${expected.join(', ')}` },
  );
}

/** `service: span name` of the spans tagged with the order id, sorted. */
export function spanNames(spans: OtlpResolvedSpan[], orderId: string): string[] {
  return spans
    .filter((s) => otlpAttr(s, 'flowscope.order.id') === orderId)
    .map((s) => `${s.serviceName}: ${s.name}`)
    .sort();
}

/** How many times each event type was stored for an order (a set hides a duplicate; this does not). */
export async function eventCountsOf(jsm: JetStreamManager, orderId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const type of await eventTypesOf(jsm, orderId)) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
