// What the fuzz reads back from JetStream: who consumes which event subject, and the dead letters.
import { DLQ_STREAM, EVENTS_STREAM } from '@flowscope/contracts';
import type { JetStreamManager, MsgHdrs } from 'nats';
import { waitFor } from '../../../../deploy/launch/probe';
import { pool } from './send';

/** A durable consumer of EVENTS and the service that owns it. */
export interface EventConsumer {
  durable: string;
  service: string;
  filters: string[];
  maxDeliver: number;
}

/** `order.placed` matches `order.*`, `order.>` and itself. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/**
 * Every consumer of EVENTS: each service's durable, `<service>-<subject with . as _>`, and the
 * tracker, which reads every subject through an ordered consumer named `process-tracker_…` (its
 * position is in its checkpoints, so it has no durable and nothing to acknowledge).
 */
export async function eventConsumers(jsm: JetStreamManager): Promise<EventConsumer[]> {
  const out: EventConsumer[] = [];
  for (const info of await jsm.consumers.list(EVENTS_STREAM).next()) {
    const { durable_name: durable, filter_subject, filter_subjects, max_deliver } = info.config;
    if (!durable) {
      if (info.name.startsWith('process-tracker') && !out.some((c) => c.service === 'process-tracker'))
        out.push({ durable: info.name, service: 'process-tracker', filters: ['>'], maxDeliver: -1 });
      continue;
    }
    const filters = filter_subjects?.length ? filter_subjects : filter_subject ? [filter_subject] : ['>'];
    const suffix = filters.length === 1 && filters[0] !== '>' ? `-${filters[0].replace(/[.*>]/g, '_')}` : '';
    const service = suffix && durable.endsWith(suffix) ? durable.slice(0, -suffix.length) : durable;
    out.push({ durable, service, filters, maxDeliver: max_deliver ?? -1 });
  }
  return out;
}

/** The services that consume `subject` (each through one durable). */
export function consumersOf(consumers: EventConsumer[], subject: string): string[] {
  return [
    ...new Set(consumers.filter((c) => c.filters.some((f) => subjectMatches(f, subject))).map((c) => c.service)),
  ].sort();
}

/** A dead letter as the DLQ stream holds it (headers only: bodies can be large). */
export interface DeadLetter {
  service: string;
  code: string;
  subject: string;
  originalSequence: number;
  deliveries: number;
}

function header(headers: MsgHdrs | undefined, key: string): string {
  return headers?.get(key) ?? '';
}

/** Every message of the DLQ stream, fetched by sequence (direct gets, `concurrency` at once). */
export async function readDeadLetters(jsm: JetStreamManager, concurrency = 32): Promise<DeadLetter[]> {
  const { state } = await jsm.streams.info(DLQ_STREAM);
  const seqs = Array.from(
    { length: state.messages > 0 ? state.last_seq - state.first_seq + 1 : 0 },
    (_, i) => state.first_seq + i,
  );
  const read = await pool(seqs, concurrency, async (seq) => {
    const msg = await jsm.streams.getMessage(DLQ_STREAM, { seq });
    return {
      service: header(msg.header, 'Flowscope-Dlq-Service'),
      code: header(msg.header, 'Flowscope-Dlq-Code'),
      subject: header(msg.header, 'Flowscope-Original-Subject'),
      originalSequence: Number(header(msg.header, 'Flowscope-Original-Sequence')),
      deliveries: Number(header(msg.header, 'Flowscope-Delivery-Count')),
    };
  });
  return read;
}

/** A durable's backlog: messages not yet delivered, delivered but not acked, and being redelivered. */
export interface ConsumerBacklog {
  durable: string;
  pending: number;
  unacked: number;
  redelivered: number;
}

export async function backlogs(jsm: JetStreamManager): Promise<ConsumerBacklog[]> {
  const infos = await jsm.consumers.list(EVENTS_STREAM).next();
  return infos
    .filter((c) => c.config.durable_name)
    .map((c) => ({
      durable: c.name,
      pending: c.num_pending,
      unacked: c.num_ack_pending,
      redelivered: c.num_redelivered,
    }))
    .sort((a, b) => a.durable.localeCompare(b.durable));
}

/** Waits until no durable of EVENTS has anything pending or unacknowledged; the timeout names those that do. */
export function waitForDrained(jsm: JetStreamManager, timeoutMs: number): Promise<ConsumerBacklog[]> {
  let last: ConsumerBacklog[] = [];
  return waitFor(
    async () => {
      last = await backlogs(jsm);
      return last.every((c) => c.pending === 0 && c.unacked === 0) ? last : undefined;
    },
    { timeoutMs, intervalMs: 500, what: 'every consumer of EVENTS to be drained' },
  ).catch((error: unknown) => {
    throw new Error(
      `${String(error)}; still busy: ${JSON.stringify(last.filter((c) => c.pending > 0 || c.unacked > 0))}`,
    );
  });
}
