import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import { register, type Counter } from 'prom-client';
import { DurableConsumption } from './durable-consumption';

/**
 * A stand-in for nats.js' consume(): each call yields its batch of messages and then ends on its own,
 * as nats.js does on some server answers; the last one stays open until closed.
 */
function fakeJetStream(batches: string[][]) {
  let opened = 0;
  const js = {
    consumers: {
      get: () =>
        Promise.resolve({
          consume: () => {
            const batch = batches[opened++] ?? [];
            const last = opened >= batches.length;
            let close!: () => void;
            const closed = new Promise<void>((resolve) => (close = resolve));
            async function* messages() {
              for (const seq of batch) yield { seq } as unknown as JsMsg;
              if (last) await closed;
            }
            const iterator = messages();
            return Promise.resolve(
              Object.assign(iterator, {
                close: () => (close(), Promise.resolve()),
                status: () => Promise.resolve((async function* () {})()),
              }) as unknown as ConsumerMessages,
            );
          },
        }),
    },
  } as unknown as JetStreamClient;
  return { js, opened: () => opened };
}

const open = { isClosed: () => false, isDraining: () => false };
const restarts = () => (register.getSingleMetric('flowscope_consumer_restarts_total') as Counter).get();

describe('DurableConsumption', () => {
  it('consumes again when nats.js ends a consume by itself, and counts it; nothing delivered is skipped', async () => {
    const { js, opened } = fakeJetStream([['1', '2'], ['3'], ['4', '5']]);
    const seen: string[] = [];
    const before = (await restarts()).values.find((v) => v.labels.consumer === 'test-durable')?.value ?? 0;
    let fifth!: () => void;
    const allIn = new Promise<void>((resolve) => (fifth = resolve));
    const consumption = await DurableConsumption.start({
      js,
      nc: open,
      service: 'test',
      stream: 'EVENTS',
      durable: 'test-durable',
      maxMessages: 10,
      restartDelayMs: 1,
      onMessage: (msg) => {
        seen.push(String(msg.seq));
        if (seen.length === 5) fifth();
      },
    });
    await allIn;
    await consumption.close();
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    expect(opened()).toBe(3);
    const after = (await restarts()).values.find((v) => v.labels.consumer === 'test-durable')?.value;
    expect(after).toBe(before + 2);
  });

  it('an end brought by the connection draining (shutdown) is no failure either', async () => {
    const { js, opened } = fakeJetStream([['1'], ['2']]);
    const draining = { isClosed: () => false, isDraining: () => true };
    const consumption = await DurableConsumption.start({
      js,
      nc: draining,
      service: 'test',
      stream: 'EVENTS',
      durable: 'draining',
      maxMessages: 10,
      restartDelayMs: 1,
      onMessage: () => undefined,
    });
    await consumption.close();
    expect(opened()).toBe(1);
    expect((await restarts()).values.find((v) => v.labels.consumer === 'draining')).toBeUndefined();
  });

  it('an end brought by close() is no failure: nothing is consumed again or counted', async () => {
    const { js, opened } = fakeJetStream([['1']]);
    const consumption = await DurableConsumption.start({
      js,
      nc: open,
      service: 'test',
      stream: 'EVENTS',
      durable: 'closing',
      maxMessages: 10,
      restartDelayMs: 1,
      onMessage: () => undefined,
    });
    await consumption.close();
    expect(opened()).toBe(1);
    expect((await restarts()).values.find((v) => v.labels.consumer === 'closing')).toBeUndefined();
  });
});
