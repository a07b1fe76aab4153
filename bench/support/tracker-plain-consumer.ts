// The yardstick of the tracker's drain rate (issue 13): a plain nats.js durable consumer on EVENTS
// that JSON.parses and acks each message, in this process, on the same pre-published stream.
import { AckPolicy, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { cpuSlice } from './tracker-rig';

/** `forAwait`: `for await (const m of await consumer.consume())`; `callback`: `consume({ callback })`. */
export type PlainConsumerForm = 'forAwait' | 'callback';

/**
 * Drains `total` messages with a fresh durable consumer (explicit acks). Timed from the first delivery
 * to the server's confirmation of the last ack (`ackAck`: acks are handled in order, so every one
 * before it is in too).
 */
export async function drainWithPlainConsumer(
  nc: NatsConnection,
  jsm: JetStreamManager,
  total: number,
  form: PlainConsumerForm,
  round: string,
) {
  const name = `bench-plain-${form}-${round}`;
  await jsm.consumers.add('EVENTS', { durable_name: name, ack_policy: AckPolicy.Explicit, max_ack_pending: 20_000 });
  const consumer = await nc.jetstream().consumers.get('EVENTS', name);
  let [first, seen, typed] = [0, 0, 0];
  let cpu: ReturnType<typeof cpuSlice> | undefined;
  const handle = (m: JsMsg): Promise<unknown> | undefined => {
    if (seen === 0) [first, cpu] = [performance.now(), cpuSlice({})];
    if (m.json<{ type?: string }>().type) typed++; // the parse is used
    if (++seen < total) {
      m.ack();
      return undefined;
    }
    return m.ackAck();
  };
  if (form === 'forAwait') {
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      const last = handle(m);
      if (last) {
        await last;
        break; // leaving the loop stops the consumer
      }
    }
  } else {
    let lastAckedWith!: (ack: Promise<unknown>) => void;
    const lastAck = new Promise<unknown>((resolve) => (lastAckedWith = resolve)); // adopts the last ackAck
    const messages = await consumer.consume({
      max_messages: 1000,
      callback: (m) => {
        const last = handle(m);
        if (last) lastAckedWith(last);
      },
    });
    await lastAck;
    messages.stop();
  }
  const end = performance.now();
  const seconds = (end - first) / 1000;
  return { form, eventsPerSecond: Math.round(total / seconds), seconds, withType: typed, ...cpu!(end) };
}
