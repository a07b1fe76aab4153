// Probes over JetStream state for component tests: poll them with waitFor, never sleep.
import { DLQ_STREAM, EVENTS_STREAM, dlqSubject } from '@flowscope/contracts';
import type { ConsumerInfo, JetStreamManager, StoredMsg } from 'nats';
import { DLQ_HEADERS } from '../../src';

/** Every message of `stream` on `subject`, oldest first (small test streams only). */
export async function storedMessages(jsm: JetStreamManager, stream: string, subject: string): Promise<StoredMsg[]> {
  const { state } = await jsm.streams.info(stream);
  const found: StoredMsg[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined); // deleted ones are gaps
    if (msg?.subject === subject) found.push(msg);
  }
  return found;
}

/** The dead letter `service` made of the EVENTS message with stream sequence `seq`, once there is one. */
export async function deadLetterOf(
  jsm: JetStreamManager,
  service: string,
  seq: number,
): Promise<StoredMsg | undefined> {
  const letters = await storedMessages(jsm, DLQ_STREAM, dlqSubject(service));
  return letters.find((m) => m.header.get(DLQ_HEADERS.sequence) === String(seq));
}

/**
 * The consumer's state once it has nothing left to do up to stream sequence `seq`: every message
 * delivered and acknowledged (or terminated), nothing waiting for an ack or a redelivery.
 */
export async function settledPast(
  jsm: JetStreamManager,
  durable: string,
  seq: number,
): Promise<ConsumerInfo | undefined> {
  const info = await jsm.consumers.info(EVENTS_STREAM, durable);
  const settled = info.num_ack_pending === 0 && info.num_pending === 0 && info.ack_floor.stream_seq >= seq;
  return settled ? info : undefined;
}
