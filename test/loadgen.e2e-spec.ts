// Issue 5: the load generator against the whole system, with failure flags set at start and live
// with the real NATS CLI, asserted through the orders API, the tracker API, /metrics and the DLQ.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { runLoad } from '../apps/loadgen/src/run-load';
import type { LoadOptionsInput } from '../apps/loadgen/src/load-options';
import type { PlannedOrder } from '../apps/loadgen/src/order-plan';
import { REPO_ROOT } from '../deploy/launch/binaries';
import { natsClientEnv, natsConnectOptions } from '../deploy/launch/nats-auth';
import { httpJson, waitFor } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import { dlqMessages, type OrderView } from './support/flow';
import { natsCli } from './support/nats-cli';
import type { FlowBody } from './support/tracker';

let system: FlowscopeSystem;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  // A short SLA, so a flow that lost an event is reported stalled within the test.
  system = await startSystem({
    tracing: false,
    appEnv: { LOG_LEVEL: 'warn', FLOW_TIMEOUT_MS: '3000', STALL_SWEEP_MS: '250' },
  });
  nc = await connect(natsConnectOptions(system.nats));
  jsm = await nc.jetstreamManager();
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
}, 60_000);

/** A short run against this system; every run starts from no flags but its own. */
async function load(
  input: LoadOptionsInput,
): Promise<{ orders: (PlannedOrder & { at: number })[]; summary: Awaited<ReturnType<typeof runLoad>> }> {
  const orders: (PlannedOrder & { at: number })[] = [];
  const summary = await runLoad(
    {
      natsUrl: system.nats.url,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      resetFlags: true,
      progressEverySec: 60,
      ...input,
    },
    { onOrder: (order) => orders.push({ ...order, at: Date.now() }) },
  );
  return { orders, summary };
}

async function order(orderId: string): Promise<OrderView | undefined> {
  const res = await httpJson<OrderView>(`${system.app('orders').url}/orders/${orderId}`);
  return res.status === 200 ? res.body : undefined;
}

function ended(orderId: string): Promise<OrderView> {
  return waitFor(
    async () => {
      const view = await order(orderId);
      return view && view.status !== 'placed' && view.notifiedAt ? view : undefined;
    },
    { timeoutMs: 30_000, what: `order ${orderId} to end` },
  );
}

async function flowsWithStatus(status: string): Promise<FlowBody[]> {
  const res = await httpJson<{ items: FlowBody[] }>(
    `${system.app('process-tracker').url}/flows?definition=order-fulfillment&status=${status}&limit=1000`,
  );
  return res.status === 200 ? res.body.items : [];
}

async function metric(app: 'logistics', line: RegExp): Promise<number> {
  const text = (await httpJson<string>(`${system.app(app).url}/metrics`)).body;
  const match = String(text)
    .split('\n')
    .find((l) => line.test(l));
  return match ? Number(match.split(' ')[1]) : 0;
}

describe('load generator with failure flags', () => {
  it('payment.declineRate 1: every new order is declined and cancelled, in both styles, like a rule decline', async () => {
    const { orders, summary } = await load({
      rate: 20,
      count: 6,
      orchestration: 0.5,
      idPrefix: 'e2e-decline',
      flags: { 'payment.declineRate': 1 },
    });
    expect(summary).toMatchObject({
      placed: 6,
      errors: 0,
      byStyle: { choreography: 3, orchestration: 3 },
      flags: { 'payment.declineRate': 1 },
    });
    for (const { orderId } of orders) {
      expect(await ended(orderId)).toMatchObject({
        status: 'cancelled',
        reason: expect.stringContaining('payment declined'),
      });
    }
    const failed = await waitFor(
      async () => {
        const ids = new Set((await flowsWithStatus('failed')).map((f) => f.key));
        return orders.every((o) => ids.has(o.orderId)) || undefined;
      },
      { timeoutMs: 15_000, what: 'the tracker to see every flow failed' },
    );
    expect(failed).toBe(true);
  }, 90_000);

  it('logistics.dropRate 1: shipments are decided but never announced, so every flow stalls in the tracker; drops are counted', async () => {
    const dropped = /^flowscope_events_dropped_total\{service="logistics",subject="shipment\.scheduled"\}/;
    const before = await metric('logistics', dropped);
    const { orders, summary } = await load({
      rate: 20,
      count: 4,
      orchestration: 0.5,
      idPrefix: 'e2e-drop',
      flags: { 'logistics.dropRate': 1 },
    });
    expect(summary.placed).toBe(4);
    const stalled = await waitFor(
      async () => {
        const byKey = new Map((await flowsWithStatus('stalled')).map((f) => [f.key, f]));
        return orders.every((o) => byKey.has(o.orderId)) ? byKey : undefined;
      },
      { timeoutMs: 30_000, what: 'every flow of the run to stall' },
    );
    for (const { orderId } of orders) {
      expect(stalled.get(orderId)!.steps.find((s) => s.name === 'shipment')?.status).toBe('pending');
    }
    expect(await metric('logistics', dropped)).toBe(before + 4);
    // Choreography stops at the lost event; the saga got its reply and carried on.
    const chor = orders.find((o) => o.style === 'choreography')!;
    const orch = orders.find((o) => o.style === 'orchestration')!;
    expect((await order(chor.orderId))?.status).toBe('placed');
    expect((await ended(orch.orderId)).status).toBe('completed');
  }, 90_000);

  it('loadgen.poisonRate 1: every publication is a poison message that lands in dlq.* with a reason', async () => {
    const before = (await dlqMessages(jsm)).length;
    const { summary } = await load({ rate: 20, count: 3, idPrefix: 'e2e-poison', flags: { 'loadgen.poisonRate': 1 } });
    expect(summary).toMatchObject({ placed: 0, poisoned: 3, errors: 0 });
    const letters = await waitFor(
      async () => {
        const ours = (await dlqMessages(jsm))
          .slice(before)
          .filter((m) => Buffer.from(m.data).toString().includes('e2e-poison'));
        return ours.filter((m) => m.subject === 'dlq.payments').length >= 3 ? ours : undefined;
      },
      { timeoutMs: 30_000, what: 'the three poison messages dead-lettered by payments' },
    );
    for (const letter of letters) {
      expect(letter.headers?.get('Flowscope-Original-Subject')).toBe('order.placed');
      expect(letter.headers?.get('Flowscope-Dlq-Code')).toMatch(/^(MALFORMED_JSON|INVALID_EVENT)$/);
      expect(letter.headers?.get('Flowscope-Dlq-Reason')).not.toBe('');
    }
    expect([...new Set(letters.map((m) => m.subject))]).toEqual(
      expect.arrayContaining(['dlq.orders', 'dlq.payments', 'dlq.process-tracker']),
    );
  }, 90_000);

  it('a flag put with the NATS CLI during a run applies to the orders placed a second later', async () => {
    const orders: (PlannedOrder & { at: number })[] = [];
    const run = runLoad(
      {
        natsUrl: system.nats.url,
        natsAuth: system.nats.users?.loadgen,
        ordersUrl: system.app('orders').url,
        resetFlags: true,
        rate: 8,
        durationSec: 5,
        idPrefix: 'e2e-live',
        progressEverySec: 60,
      },
      { onOrder: (o) => orders.push({ ...o, at: Date.now() }) },
    );
    const first = await waitFor(() => orders[0], { timeoutMs: 10_000, what: 'the first order' });
    expect((await ended(first.orderId)).status).toBe('completed');
    const put = await natsCli(['kv', 'put', 'flags', 'payment.declineRate', '1'], { server: system.nats });
    expect(put.code).toBe(0);
    const putAt = Date.now();
    await run;
    const later = orders.filter((o) => o.at > putAt + 1000);
    expect(later.length).toBeGreaterThan(3);
    for (const { orderId } of later) {
      expect(await ended(orderId)).toMatchObject({
        status: 'cancelled',
        reason: expect.stringContaining('payment declined'),
      });
    }
  }, 90_000);

  it('the CLI: progress on stderr, Ctrl-C stops it and prints the JSON summary; a bad argument exits 2', async () => {
    const main = path.join(REPO_ROOT, 'dist', 'apps', 'loadgen', 'src', 'main.js');
    const args = [
      '--rate',
      '5',
      '--duration',
      '60',
      '--progress',
      '0.5',
      '--json',
      '--reset-flags',
      '--id-prefix',
      'e2e-cli',
    ];
    const cli = spawn(process.execPath, [main, ...args], {
      env: {
        ...process.env,
        NATS_URL: system.nats.url,
        ...natsClientEnv(system.nats.users?.loadgen),
        ORDERS_URL: system.app('orders').url,
      },
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null }>((resolve) => cli.once('exit', (code) => resolve({ code })));
    try {
      await waitFor(() => /placed [1-9]/.test(stderr) || undefined, {
        timeoutMs: 20_000,
        what: `a progress line with orders placed; stderr: ${stderr}`,
      });
      cli.kill('SIGINT');
      const { code } = await waitFor(() => exited, { timeoutMs: 15_000, what: 'the CLI to exit after Ctrl-C' });
      expect(code).toBe(0);
      const summary = JSON.parse(stdout) as { interrupted: boolean; placed: number; errors: number; idPrefix: string };
      expect(summary).toMatchObject({ interrupted: true, errors: 0, idPrefix: 'e2e-cli' });
      expect(summary.placed).toBeGreaterThan(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }

    const bad = spawn(process.execPath, [main, '--rate', '0']);
    let badErr = '';
    bad.stderr.on('data', (chunk: Buffer) => (badErr += chunk.toString()));
    const badCode = await new Promise<number | null>((resolve) => bad.once('exit', (c) => resolve(c)));
    expect(badCode).toBe(2);
    expect(badErr).toContain('--rate must be a number of orders per second above 0');
  }, 90_000);
});
