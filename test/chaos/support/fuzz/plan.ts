// The whole fuzz of one seed: how many messages of each kind go where.
import { badCommand, COMMAND_KINDS, type CommandCase } from './command-cases';
import { badEvent, EVENT_KINDS, type EventCase } from './event-cases';
import { badRequest, HTTP_KINDS, unicodeOrder, validOrder, type HttpCase } from './http-cases';
import type { Rng } from './random';

/** Bad event messages (oversized ones are 2 % of them: each is stored three or four times over). */
// CHAOS_FUZZ_SCALE (default 1) shrinks a run while working on the fuzz; the acceptance is at 1.
const SCALE = Number(process.env.CHAOS_FUZZ_SCALE ?? 1);
export const EVENT_COUNT = Math.round(7000 * SCALE);
export const COMMAND_COUNT = Math.round(2000 * SCALE);
export const HTTP_COUNT = Math.round(1200 * SCALE);
/** Copies of each event of the reference order: with its own Nats-Msg-Id, and with a new one. */
const SAME_ID_COPIES = 15;
const NEW_ID_COPIES = 5;
const ORPHANS = 5;
const UNICODE_ORDERS = 12;
const DUPLICATE_PLACEMENTS = 5;

export interface FuzzPlan {
  events: EventCase[];
  commands: CommandCase[];
  http: HttpCase[];
  /** Sent one after the other after `http`: a placement, then the same one again. */
  httpDuplicates: HttpCase[];
  /** Valid `payment.authorized` of orders nobody placed: the seller cannot reserve stock for them. */
  orphans: number;
}

/** An event as JetStream stored it. */
export interface StoredEvent {
  subject: string;
  body: Uint8Array;
  msgId: string;
}

export function generateFuzz(rng: Rng, reference: StoredEvent[]): FuzzPlan {
  const events: EventCase[] = [];
  for (let n = 0; n < EVENT_COUNT; n++) {
    const kind = rng.chance(0.02) ? 'oversized' : rng.pick(EVENT_KINDS.filter((k) => k !== 'oversized'));
    events.push(badEvent(rng, kind, n));
  }
  for (const stored of reference) {
    for (let i = 0; i < SAME_ID_COPIES; i++)
      events.push({
        kind: 'duplicate-msg-id',
        envelope: 'cloudevent',
        subject: stored.subject,
        body: stored.body,
        msgId: stored.msgId,
        expect: { duplicate: 'stream' },
      });
    for (let i = 0; i < NEW_ID_COPIES; i++)
      events.push({
        kind: 'duplicate-event-id',
        envelope: 'cloudevent',
        subject: stored.subject,
        body: stored.body,
        msgId: `copy-${rng.hex(12)}`,
        expect: { duplicate: 'consumers' },
      });
  }
  for (let i = 0; i < ORPHANS; i++) {
    const body = new TextEncoder().encode(
      JSON.stringify({ orderId: `fuzz-orphan-${rng.seed}-${i}`, paymentId: `p-${i}`, amount: 1 }),
    );
    events.push({
      kind: 'orphan',
      envelope: 'bare',
      subject: 'payment.authorized',
      body,
      expect: { maxDeliveries: ['seller'] },
    });
  }
  shuffle(rng, events);

  const commands: CommandCase[] = [];
  for (let n = 0; n < COMMAND_COUNT; n++) commands.push(badCommand(rng, rng.pick(COMMAND_KINDS), n, commands[n - 1]));

  const http: HttpCase[] = Array.from({ length: HTTP_COUNT }, () => badRequest(rng, rng.pick(HTTP_KINDS)));
  for (let i = 0; i < UNICODE_ORDERS; i++) http.splice(rng.int(0, http.length), 0, unicodeOrder(rng));
  const httpDuplicates = Array.from({ length: DUPLICATE_PLACEMENTS }, (_, i) => {
    const body = JSON.stringify(validOrder(`fuzz-dup-${rng.seed}-${i}`));
    const headers = { 'content-type': 'application/json' };
    return [
      { kind: 'duplicate', method: 'POST', path: '/orders', headers, body, expect: 'created' },
      { kind: 'duplicate', method: 'POST', path: '/orders', headers, body, expect: 'conflict' },
    ] satisfies HttpCase[];
  }).flat();
  return { events, commands, http, httpDuplicates, orphans: ORPHANS };
}

function shuffle<T>(rng: Rng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}
