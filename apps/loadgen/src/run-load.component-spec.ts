import { DLQ_STREAM, EVENTS_STREAM } from '@flowscope/contracts';
import { FLAGS_BUCKET } from '@flowscope/fulfilment';
import { connect, type NatsConnection } from 'nats';
import { freePort } from '../../../deploy/launch/ports';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { waitFor } from '../../../deploy/launch/probe';
import type { PlannedOrder } from './order-plan';
import { runLoad } from './run-load';

// The generator against a real nats-server, entering orders on NATS (no services needed for that).
jest.setTimeout(30_000);

let server: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** The bodies stored on `order.placed` whose text holds `prefix` (bare poison and CloudEvents alike). */
async function storedOrderPlaced(prefix: string): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  const out: string[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => undefined);
    if (msg?.subject === 'order.placed' && msg.string().includes(prefix)) out.push(msg.string());
  }
  return out;
}

describe('runLoad over NATS', () => {
  it('places count orders as CloudEvents on EVENTS, with the style share and the scenario mix', async () => {
    const orders: PlannedOrder[] = [];
    const summary = await runLoad(
      {
        natsUrl: server.url,
        entry: 'nats',
        rate: 50,
        count: 8,
        orchestration: 0.5,
        mix: { happy: 1, decline: 1 },
        idPrefix: 'cnt',
        progressEverySec: 60,
      },
      { onOrder: (o) => orders.push(o) },
    );
    expect(summary).toMatchObject({
      placed: 8,
      poisoned: 0,
      errors: 0,
      interrupted: false,
      byStyle: { choreography: 4, orchestration: 4 },
      byScenario: { happy: 4, decline: 4 },
    });
    const stored = (await storedOrderPlaced('cnt-')).map(
      (body) => JSON.parse(body) as { type: string; data: { orderId: string; style: string } },
    );
    expect(stored.map((e) => e.data.orderId).sort()).toEqual(orders.map((o) => o.orderId).sort());
    expect(stored.every((e) => e.type === 'order.placed')).toBe(true);
  });

  it('keeps to the rate: 10/s for 1 s is about 10 orders, not a burst', async () => {
    const started = Date.now();
    const summary = await runLoad({
      natsUrl: server.url,
      entry: 'nats',
      rate: 10,
      durationSec: 1,
      idPrefix: 'rate',
      progressEverySec: 60,
    });
    expect(summary.placed).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('writes its --flag values to the bucket, and with poisonRate 1 publishes poison only', async () => {
    const summary = await runLoad({
      natsUrl: server.url,
      entry: 'nats',
      rate: 50,
      count: 3,
      idPrefix: 'psn',
      flags: { 'loadgen.poisonRate': 1, 'payments.latencyMs': 20 },
      progressEverySec: 60,
    });
    expect(summary).toMatchObject({
      placed: 0,
      poisoned: 3,
      errors: 0,
      flags: { 'loadgen.poisonRate': 1, 'payments.latencyMs': 20 },
    });
    const kv = await nc.jetstream().views.kv(FLAGS_BUCKET);
    expect((await kv.get('payments.latencyMs'))?.string()).toBe('20');
    const bodies = await storedOrderPlaced('psn-');
    expect(bodies).toHaveLength(3);
    expect(bodies.filter((b) => !b.includes('"specversion"'))).toHaveLength(3);
    // The DLQ stream exists for the consumers to dead-letter them (the loadgen ensures the streams).
    await expect((await nc.jetstreamManager()).streams.info(DLQ_STREAM)).resolves.toBeDefined();
  });

  it('--reset-flags deletes every flag before writing the new ones', async () => {
    await runLoad({
      natsUrl: server.url,
      entry: 'nats',
      rate: 50,
      count: 1,
      idPrefix: 'rst',
      resetFlags: true,
      flags: { 'seller.dropRate': 0.5 },
      progressEverySec: 60,
    });
    const kv = await nc.jetstream().views.kv(FLAGS_BUCKET);
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    expect(keys).toEqual(['seller.dropRate']);
  });

  it('stops when its signal is aborted, finishes what is in flight and says it was interrupted', async () => {
    const stop = new AbortController();
    let placed = 0;
    const run = runLoad(
      { natsUrl: server.url, entry: 'nats', rate: 20, durationSec: 60, idPrefix: 'int', progressEverySec: 60 },
      { signal: stop.signal, onOrder: () => placed++ },
    );
    await waitFor(() => placed >= 3 || undefined, { timeoutMs: 10_000, what: 'three orders placed' });
    stop.abort();
    const summary = await run;
    expect(summary.interrupted).toBe(true);
    expect(summary.elapsedSec).toBeLessThan(10);
    expect(summary.placed).toBeGreaterThanOrEqual(3);
  });

  it('counts placements that fail, by kind, and goes on', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const summary = await runLoad({
      natsUrl: server.url,
      ordersUrl: closed,
      entry: 'http',
      rate: 50,
      count: 3,
      idPrefix: 'err',
      progressEverySec: 60,
    });
    expect(summary).toMatchObject({
      placed: 0,
      errors: 3,
      errorsByKind: { network: 3 },
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('says so when NATS cannot be reached', async () => {
    const nobody = `nats://127.0.0.1:${await freePort()}`;
    await expect(runLoad({ natsUrl: nobody, count: 1 })).rejects.toThrow(`cannot reach NATS at ${nobody}`);
  });
});
