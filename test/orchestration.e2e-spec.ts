// Issue 3 acceptance: the saga orchestrator, every scenario in both styles, with real processes,
// asserted through the orders API, NATS (streams, KV, the NATS CLI) and Jaeger's HTTP API.
import { connect, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import { natsConnectOptions } from '../deploy/launch/nats-auth';
import { waitFor } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import { eventCountsOf, eventTypesOf, orderTrace, placeOrder, waitForOutcome, waitForQuiet } from './support/flow';
import { otlpAttr, otlpSpanKind } from './support/jaeger-otlp-api';
import { natsCli, natsReq } from './support/nats-cli';
import { getFlow } from './support/tracker';

const MAX_ATTEMPTS = 6;
const SERVED_BY: Record<string, string> = {
  payment: 'payments',
  stock: 'seller',
  shipment: 'logistics',
  customer: 'notification',
};
const book = { sku: 'BOOK-1', qty: 2, unitPrice: 12.5 };

let system: FlowscopeSystem;
let nc: NatsConnection;
let jsm: JetStreamManager;
let sagas: KV;

beforeAll(async () => {
  system = await startSystem({
    appEnv: {
      LOG_LEVEL: 'warn',
      SAGA_STEP_TIMEOUT_MS: '1000',
      SAGA_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      SAGA_RETRY_BACKOFF_MS: '300',
    },
  });
  nc = await connect(natsConnectOptions(system.nats));
  jsm = await nc.jetstreamManager();
  sagas = await nc.jetstream().views.kv('sagas');
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
}, 60_000);

interface SagaView {
  status: string;
  history: { step: string; attempt: number; result: string }[];
}
const sagaOf = async (orderId: string) => (await sagas.get(orderId))?.json<SagaView>();

/** After a crash, a completed order has every event once and each step's command took effect once. */
async function expectEachStepOnce(orderId: string): Promise<void> {
  await waitForQuiet(jsm);
  expect(await eventCountsOf(jsm, orderId)).toEqual({
    'order.placed': 1,
    'payment.authorized': 1,
    'stock.reserved': 1,
    'shipment.scheduled': 1,
    'order.completed': 1,
    'customer.notified': 1,
  });
  const steps = (await sagaOf(orderId))?.history.filter((t) => t.result === 'ok').map((t) => t.step);
  expect(steps).toEqual(['payment', 'stock', 'shipment', 'notify']);
}

const scenarios = [
  {
    name: 'happy path',
    flow: 'completed',
    order: { customerId: 'c-ok', items: [book] },
    commands: ['cmd.payment.authorize', 'cmd.stock.reserve', 'cmd.shipment.schedule', 'cmd.customer.notify'],
  },
  {
    name: 'payment declined',
    flow: 'failed',
    order: { customerId: 'decline-2', items: [book] },
    commands: ['cmd.payment.authorize', 'cmd.customer.notify'],
  },
  {
    name: 'out of stock',
    flow: 'compensated',
    order: { customerId: 'c-oos', items: [{ sku: 'OOS-CHAIR', qty: 1, unitPrice: 80 }] },
    commands: ['cmd.payment.authorize', 'cmd.stock.reserve', 'cmd.payment.refund', 'cmd.customer.notify'],
  },
  {
    name: 'shipping failed',
    flow: 'compensated',
    order: { customerId: 'c-aq', items: [book], destination: 'AQ' },
    commands: [
      'cmd.payment.authorize',
      'cmd.stock.reserve',
      'cmd.shipment.schedule',
      'cmd.stock.release',
      'cmd.payment.refund',
      'cmd.customer.notify',
    ],
  },
];

describe('orchestration', () => {
  it.each(scenarios)(
    '$name: the same outcome and the same events as choreography, a CLIENT/SERVER pair per command',
    async ({ order, commands, flow }) => {
      const choreographed = await placeOrder(system, { ...order, style: 'choreography' });
      const orchestrated = await placeOrder(system, { ...order, style: 'orchestration' });
      const [c, o] = await Promise.all([waitForOutcome(system, choreographed), waitForOutcome(system, orchestrated)]);
      expect({ status: o.status, reason: o.reason }).toEqual({ status: c.status, reason: c.reason });
      expect(o.style).toBe('orchestration');
      await waitForQuiet(jsm);
      expect(await eventTypesOf(jsm, orchestrated)).toEqual(await eventTypesOf(jsm, choreographed));

      const clients = commands.map((cmd) => `orders: ${cmd}`);
      const servers = commands.map((cmd) => `${SERVED_BY[cmd.split('.')[1]]}: ${cmd}`);
      const spans = await orderTrace(system, orchestrated, [
        ...clients,
        ...servers,
        // orders reads an orchestrated order's notification from its saga, not from this event
        'notification: send customer.notified',
      ]);
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
      const clientSpans = spans.filter((s) => otlpSpanKind(s) === 'client' && s.name.startsWith('cmd.'));
      expect(clientSpans.map((s) => s.name)).toEqual(commands);
      for (const client of clientSpans) {
        const server = spans.find((s) => s.parentSpanId === client.spanId);
        expect({ name: server?.name, kind: server && otlpSpanKind(server) }).toEqual({
          name: client.name,
          kind: 'server',
        });
        expect(server?.serviceName).not.toBe('orders');
        const compensating = client.name === 'cmd.payment.refund' || client.name === 'cmd.stock.release';
        expect(otlpAttr(client, 'flowscope.saga.compensating')).toBe(compensating);
        expect(otlpAttr(server!, 'flowscope.saga.compensating')).toBe(compensating);
        expect(otlpAttr(client, 'flowscope.flow.style')).toBe('orchestration');
      }

      // The process tracker rebuilt both flows from their events alone, and its flow span joined the trace.
      for (const [orderId, style] of [
        [choreographed, 'choreography'],
        [orchestrated, 'orchestration'],
      ] as const) {
        const tracked = await waitFor(
          async () => {
            const res = await getFlow(system.app('process-tracker'), orderId);
            return res.status === 200 && res.body.status === flow && res.body.steps.at(-1)?.status === 'done'
              ? res.body
              : undefined;
          },
          { timeoutMs: 20_000, what: `the tracker to see ${orderId} ${flow}` },
        );
        expect(tracked.style).toBe(style);
        expect(tracked.durationMs).toBeGreaterThan(0);
        expect(tracked.events.map((e) => e.type).sort()).toEqual(await eventTypesOf(jsm, orderId));
        const trace = await orderTrace(system, orderId, [`process-tracker: flow order-fulfillment`]);
        expect(tracked.traceIds).toEqual([trace[0].traceId]);
        const flowSpan = trace.find((s) => s.name === 'flow order-fulfillment')!;
        expect(otlpAttr(flowSpan, 'flowscope.flow.status')).toBe(flow);
        // One span event per step: every step decided before the flow ended, plus any later one (the
        // notification) that the tracker already had when it emitted the span. A step decided at the
        // very millisecond of the end (the saga publishes order.cancelled right after the refund's
        // reply) may arrive after the span was emitted: it need not be in it.
        const spanEvents = flowSpan.events?.map((e) => e.name) ?? [];
        const byEnd = tracked.steps
          .filter((st) => st.at && st.at < tracked.endedAt!)
          .map((st) => `${st.name} ${st.status}`);
        const decided = tracked.steps.filter((st) => st.at).map((st) => `${st.name} ${st.status}`);
        expect(spanEvents).toEqual(expect.arrayContaining(byEnd));
        expect(decided).toEqual(expect.arrayContaining(spanEvents));
      }
    },
    90_000,
  );

  it('with payments stopped, the command is retried, then the saga gives up and cancels; nothing took effect', async () => {
    const payments = system.app('payments');
    await payments.stop();
    try {
      const orderId = await placeOrder(system, { customerId: 'c-nopay', items: [book], style: 'orchestration' });
      const order = await waitForOutcome(system, orderId, 60_000);
      expect(order).toMatchObject({
        status: 'cancelled',
        reason: expect.stringContaining(`payment gave up after ${MAX_ATTEMPTS} attempts`),
      });
      const saga = await sagaOf(orderId);
      expect(saga?.status).toBe('cancelled');
      expect(saga?.history.filter((t) => t.step === 'payment').map((t) => t.result)).toEqual(
        Array.from({ length: MAX_ATTEMPTS }, (): unknown => expect.stringMatching(/^(NO_RESPONDERS|COMMAND_TIMEOUT)$/)),
      );
      expect(await eventTypesOf(jsm, orderId)).toEqual(['customer.notified', 'order.cancelled', 'order.placed']);
    } finally {
      await payments.start();
    }
  }, 120_000);

  it('with payments back inside the retry window, the order completes', async () => {
    const payments = system.app('payments');
    await payments.stop();
    const orderId = await placeOrder(system, { customerId: 'c-late-pay', items: [book], style: 'orchestration' });
    await waitFor(
      async () =>
        (await sagaOf(orderId))?.history.some((t) => t.step === 'payment' && t.result !== 'ok') ? true : undefined,
      {
        timeoutMs: 20_000,
        what: 'a failed payment attempt',
      },
    );
    await payments.start();
    expect(await waitForOutcome(system, orderId, 60_000)).toMatchObject({ status: 'completed' });
    expect(
      (await sagaOf(orderId))?.history.find((t) => t.step === 'payment' && t.result === 'ok')?.attempt,
    ).toBeGreaterThan(1);
  }, 120_000);

  it('kill -9 of orders after the stock is reserved: the saga resumes and completes, each command taking effect once', async () => {
    const orders = system.app('orders');
    const logistics = system.app('logistics');
    await logistics.stop(); // holds the saga at the shipment step
    const orderId = await placeOrder(system, { customerId: 'c-crash', items: [book], style: 'orchestration' });
    await waitFor(async () => (await eventTypesOf(jsm, orderId)).includes('stock.reserved') || undefined, {
      timeoutMs: 30_000,
      what: 'stock.reserved',
    });
    await orders.kill9();
    expect((await sagaOf(orderId))?.status).toBe('running');
    await logistics.start();
    await orders.start();

    expect(await waitForOutcome(system, orderId, 60_000)).toMatchObject({ status: 'completed' });
    await expectEachStepOnce(orderId);
  }, 120_000);

  it('kill -9 of orders while its saga is stored nowhere yet: order.placed comes again and the saga replays to its end, each command taking effect once', async () => {
    const orders = system.app('orders');
    const payments = system.app('payments');
    const held = async () => {
      const text = await (await fetch(`${payments.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('flowscope_failures_injected_total{') && l.includes('"payments.latencyMs"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const setLatency = (ms: number) =>
      natsCli(['kv', 'put', 'flags', 'payments.latencyMs', String(ms)], { server: system.nats });
    // Each payments command takes 800 ms (the saga's step timeout is 1000): long enough to kill
    // orders while it waits for the authorization, with nothing of its saga stored.
    await setLatency(800);
    let orderId: string;
    try {
      await waitFor(
        async () => {
          const probe = JSON.stringify({
            orderId: `latency-${Date.now()}`,
            customerId: 'c-probe',
            amount: 1,
            currency: 'EUR',
          });
          await natsReq(system.nats, 'cmd.payment.authorize', probe);
          return (await held()) > 0 || undefined;
        },
        { timeoutMs: 20_000, what: 'payments holding commands up by the latency flag' },
      );
      const before = await held();
      orderId = await placeOrder(system, { customerId: 'c-unstored', items: [book], style: 'orchestration' });
      await waitFor(async () => (await held()) > before || undefined, {
        timeoutMs: 10_000,
        what: "the order's authorization under way",
      });
      await orders.kill9();
      expect(await sagaOf(orderId)).toBeUndefined(); // stored nowhere: only its held order.placed
    } finally {
      await setLatency(0);
    }
    await orders.start();

    // JetStream delivers the unacknowledged order.placed again once its ack wait (30 s) has passed
    expect(await waitForOutcome(system, orderId, 90_000)).toMatchObject({ status: 'completed' });
    await expectEachStepOnce(orderId);
  }, 180_000);

  it('a bare JSON command from the NATS CLI gets a reply; a malformed one gets INVALID_COMMAND at once', async () => {
    const orderId = `cli-cmd-${Date.now()}`;
    const ok = JSON.parse(
      await natsReq(
        system.nats,
        'cmd.payment.authorize',
        JSON.stringify({ orderId, customerId: 'c-cli', amount: 7, currency: 'EUR' }),
      ),
    );
    expect(ok).toEqual({ ok: true, paymentId: `pay-${orderId}`, amount: 7, status: 'authorized' });
    const again = JSON.parse(
      await natsReq(
        system.nats,
        'cmd.payment.authorize',
        JSON.stringify({ orderId, customerId: 'decline-now', amount: 7, currency: 'EUR' }),
      ),
    );
    expect(again).toEqual(ok); // a retried command returns its first outcome

    const malformed = JSON.parse(await natsReq(system.nats, 'cmd.payment.authorize', '{"orderId": '));
    expect(malformed).toMatchObject({ ok: false, code: 'INVALID_COMMAND', retryable: false });
    const missing = JSON.parse(await natsReq(system.nats, 'cmd.stock.reserve', JSON.stringify({ orderId })));
    expect(missing).toMatchObject({
      ok: false,
      code: 'INVALID_COMMAND',
      issues: [expect.objectContaining({ path: 'items' })],
    });
  }, 60_000);

  it('a refund or release of an order not yet seen voids it: a late authorize or reserve is refused, and publishes nothing', async () => {
    // What the saga sends for a step it gave up on without an answer: the step may still arrive.
    const orderId = `void-${Date.now()}`;
    const req = async (subject: string, body: object) =>
      JSON.parse(await natsReq(system.nats, subject, JSON.stringify(body))) as unknown;
    expect(await req('cmd.payment.refund', { orderId, reason: 'payment gave up' })).toEqual({
      ok: true,
      refunded: false,
      voided: true,
    });
    expect(await req('cmd.stock.release', { orderId, reason: 'stock gave up' })).toEqual({
      ok: true,
      released: false,
      voided: true,
    });
    expect(
      await req('cmd.payment.authorize', { orderId, customerId: 'c-late', amount: 7, currency: 'EUR' }),
    ).toMatchObject({ ok: false, code: 'PAYMENT_VOIDED', retryable: false });
    expect(await req('cmd.stock.reserve', { orderId, items: [book] })).toMatchObject({
      ok: false,
      code: 'STOCK_VOIDED',
      retryable: false,
    });
    // Voiding is idempotent, and a refund of an authorized payment still refunds it.
    expect(await req('cmd.payment.refund', { orderId })).toEqual({ ok: true, refunded: false });
    const paid = `${orderId}-paid`;
    expect(
      await req('cmd.payment.authorize', { orderId: paid, customerId: 'c-paid', amount: 7, currency: 'EUR' }),
    ).toMatchObject({ ok: true });
    expect(await req('cmd.payment.refund', { orderId: paid })).toEqual({ ok: true, refunded: true });
    await waitForQuiet(jsm);
    expect(await eventTypesOf(jsm, orderId)).toEqual([]);
    expect(await eventTypesOf(jsm, paid)).toEqual(['payment.authorized', 'payment.refunded']);
  }, 60_000);
});
