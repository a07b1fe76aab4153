// Issue 7, security: every app a real process connected to a real nats-server as its own user
// (deploy/nats/permissions.ts), asserted with real clients (nats.js and the NATS CLI); and no
// personal data in any span Jaeger stored for orders in both styles.
import { EVENTS_STREAM } from '@flowscope/contracts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, Events, type JetStreamManager, type NatsConnection, type Subscription } from 'nats';
import { natsConnectOptions } from '../deploy/launch/nats-auth';
import { httpJson, waitFor } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import type { NatsIdentity } from '../deploy/nats/permissions';
import { orderTrace, placeOrder, waitForOutcome, waitForQuiet } from './support/flow';
import { findTraces, getServices } from './support/jaeger-api';
import { natsCli, natsPub } from './support/nats-cli';

let system: FlowscopeSystem;
let admin: NatsConnection;
let jsm: JetStreamManager;
const opened: NatsConnection[] = [];

// Every process' whole output, so the server's log of refused operations can be read at the end.
const logDir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-security-'));

beforeAll(async () => {
  system = await startSystem({ appEnv: { LOG_LEVEL: 'warn' }, logDir });
  admin = await connect(natsConnectOptions(system.nats));
  jsm = await admin.jetstreamManager();
}, 180_000);

afterAll(async () => {
  await Promise.all([admin, ...opened].map((nc) => nc?.close()));
  await system?.stop();
  rmSync(logDir, { recursive: true, force: true });
}, 60_000);

async function connectAs(identity: NatsIdentity): Promise<NatsConnection> {
  const nc = await connect({ ...natsConnectOptions(system.nats, identity), name: `security-${identity}` });
  opened.push(nc);
  return nc;
}

/** Rejects with the error the subscription ends with (a refused subscription ends at once). */
async function drained(sub: Subscription): Promise<void> {
  for await (const msg of sub) msg.respond('{}');
}

/** Resolves with the server's permission error for `operation` on `subject`, as the client hears it. */
async function permissionViolation(
  nc: NatsConnection,
  operation: 'publish' | 'subscription',
  subject: string,
): Promise<string> {
  for await (const status of nc.status()) {
    const context = (status as { permissionContext?: { operation: string; subject: string } }).permissionContext;
    if (status.type === Events.Error && context?.operation === operation && context.subject === subject)
      return status.data as string;
  }
  throw new Error('connection closed before the server refused anything');
}

const eventCount = async () => (await jsm.streams.info(EVENTS_STREAM)).state.messages;

// A service's identity may publish its own events only, the tracker none, the loadgen order.placed only.
const FORBIDDEN: [NatsIdentity, string][] = [
  ['payments', 'order.placed'],
  ['payments', 'stock.reserved'],
  ['seller', 'payment.authorized'],
  ['logistics', 'order.completed'],
  ['notification', 'shipment.scheduled'],
  ['orders', 'payment.authorized'],
  ['loadgen', 'payment.authorized'],
  ['process-tracker', 'order.placed'],
  ['process-tracker', 'payment.authorized'],
  ['process-tracker', 'stock.reserved'],
  ['process-tracker', 'shipment.scheduled'],
  ['process-tracker', 'customer.notified'],
];

describe('NATS users with least privilege', () => {
  it.each(FORBIDDEN)(
    '%s cannot publish %s: the server refuses it and the event never reaches EVENTS',
    async (identity, subject) => {
      const nc = await connectAs(identity);
      const before = await eventCount();
      const refused = permissionViolation(nc, 'publish', subject);
      const body = JSON.stringify({
        orderId: `forged-${identity}-${subject}`,
        customerId: 'c-forged',
        items: [{ sku: 'X', qty: 1, unitPrice: 1 }],
        total: 1,
        currency: 'EUR',
      });
      nc.publish(subject, body);
      await nc.flush(); // the server answers the PING after it has handled (and refused) the publish
      await expect(refused).resolves.toBe('PERMISSIONS_VIOLATION');
      expect(await eventCount()).toBe(before);
    },
  );

  it("a service's identity publishes its own events: payments may publish payment.*, the tracker flow.*", async () => {
    // Positive controls for the table above: the same clients, allowed subjects, no error.
    const payments = await connectAs('payments');
    const orderId = `own-${randomBytes(4).toString('hex')}`;
    const ack = await payments
      .jetstream()
      .publish('payment.refunded', JSON.stringify({ orderId, reason: 'security test' }));
    expect(ack.stream).toBe(EVENTS_STREAM);
    const tracker = await connectAs('process-tracker');
    tracker.publish('flow.security-test', '{}');
    await tracker.flush();
    expect(tracker.isClosed()).toBe(false);
  });

  it("payments cannot subscribe to another service's commands (cmd.stock.reserve), only to its own", async () => {
    const nc = await connectAs('payments');
    const refused = permissionViolation(nc, 'subscription', 'cmd.stock.reserve');
    await expect(drained(nc.subscribe('cmd.stock.reserve'))).rejects.toThrow(
      'Permissions Violation for Subscription to "cmd.stock.reserve"',
    );
    await expect(refused).resolves.toBe('PERMISSIONS_VIOLATION');

    const own = nc.subscribe('cmd.payment.authorize', { queue: 'security-test' });
    await nc.flush();
    expect(own.isClosed()).toBe(false);
    own.unsubscribe();
  });

  it('the tracker cannot subscribe to events on core NATS nor answer commands: it reads events only through its durable consumer', async () => {
    const nc = await connectAs('process-tracker');
    await expect(drained(nc.subscribe('order.>'))).rejects.toThrow(
      'Permissions Violation for Subscription to "order.>"',
    );
    await expect(drained(nc.subscribe('cmd.payment.authorize'))).rejects.toThrow(
      'Permissions Violation for Subscription to "cmd.payment.authorize"',
    );
  });

  it('a wrong password, an unknown user and no credentials at all are refused, by nats.js and by the NATS CLI', async () => {
    const url = system.nats.url;
    const refused = /Authorization Violation|AUTHORIZATION_VIOLATION/i;
    await expect(
      connect({ servers: url, user: 'payments', pass: 'not-the-password', reconnect: false }),
    ).rejects.toThrow(refused);
    await expect(
      connect({ servers: url, user: 'mallory', pass: system.nats.users!.admin.pass, reconnect: false }),
    ).rejects.toThrow(refused);
    await expect(connect({ servers: url, reconnect: false })).rejects.toThrow(refused);

    const cli = await natsCli(['pub', 'order.placed', '{}'], {
      server: url,
      credentials: { user: 'admin', pass: 'wrong' },
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/authorization violation/i);
    await expect(natsPub(system.nats, 'flow.cli-as-admin', '{}')).resolves.toMatchObject({ code: 0 }); // the admin context works
  });
});

// Recognisable values in every personal field an order can carry: the customer id of the orders
// API and the contract, and (through the looser `nats pub order.placed` entry) name, e-mail,
// address, phone and card fields a careless client might add.
const tag = randomBytes(4).toString('hex');
const PERSONAL = {
  customerId: `cust-pii-${tag}`,
  customerName: `Zelda Quagmire ${tag}`,
  email: `zelda.${tag}@example.org`,
  address: `17 Privet Lane ${tag}, Springfield`,
  phone: `+44 20 7946 ${tag}`,
  cardNumber: `4000 0012 ${tag}`,
};
/** Attribute keys that would name a personal field (network `server.address` and the like are not personal). */
const PERSONAL_KEY =
  /customer|e-?mail|phone|card|cvv|first.?name|last.?name|full.?name|street|postal|^(?!(server|client|network\.(peer|local)|net\.(peer|host|sock\.(peer|host)))\.).*address/i;

/** Every key/value attribute anywhere in an OTLP document: resource, span, event and link attributes. */
function attributesIn(node: unknown, found: { key: string; value: unknown }[] = []): { key: string; value: unknown }[] {
  if (Array.isArray(node)) node.forEach((item) => attributesIn(item, found));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.key === 'string' && record.value && typeof record.value === 'object')
      found.push({ key: record.key, value: record.value });
    Object.values(record).forEach((child) => attributesIn(child, found));
  }
  return found;
}

describe('no personal data in spans', () => {
  it('orders in both styles, with every customer field filled, leave no customer value and no attribute naming one in any stored span', async () => {
    const book = { sku: 'BOOK-1', qty: 1, unitPrice: 9.5 };
    const orderIds = [
      await placeOrder(system, {
        customerId: PERSONAL.customerId,
        items: [book],
        destination: 'DE',
        style: 'choreography',
      }),
      await placeOrder(system, {
        customerId: PERSONAL.customerId,
        items: [book],
        destination: 'DE',
        style: 'orchestration',
      }),
      await placeOrder(system, { customerId: `decline-${PERSONAL.customerId}`, items: [book], style: 'orchestration' }),
    ];
    const cliOrder = `pii-cli-${tag}`;
    await natsPub(
      system.nats,
      'order.placed',
      JSON.stringify({ orderId: cliOrder, ...PERSONAL, items: [book], total: 9.5, currency: 'EUR' }),
    );
    orderIds.push(cliOrder);
    for (const orderId of orderIds) await waitForOutcome(system, orderId);
    await waitForQuiet(jsm);
    // Each order's trace is complete before the scan: the tracker's flow span and the notification's
    // span are exported last (the notification runs after the order ended, in both styles).
    for (const orderId of orderIds)
      await orderTrace(system, orderId, [
        'orders: process order.placed',
        'process-tracker: flow order-fulfillment',
        'notification: send customer.notified',
      ]);

    const queryUrl = system.jaeger!.queryUrl;
    // Every service's spans, before the scan: each service exports in batches of its own, so one
    // (logistics, say) may still be on its way when the traces above are complete.
    const everyService = ['orders', 'payments', 'seller', 'logistics', 'notification', 'process-tracker'];
    const services = await waitFor(
      async () => {
        const listed = await getServices(queryUrl);
        return everyService.every((s) => listed.includes(s)) ? listed : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'spans of every service in Jaeger' },
    ).catch(() => getServices(queryUrl));
    expect(services).toEqual(expect.arrayContaining(everyService));
    const traceIds = new Set<string>();
    for (const service of services) {
      for (const trace of await findTraces(queryUrl, { service, limit: 1000 })) traceIds.add(trace.traceID);
    }
    expect(traceIds.size).toBeGreaterThanOrEqual(orderIds.length);

    const leaks: string[] = [];
    for (const traceId of traceIds) {
      const res = await httpJson<unknown>(`${queryUrl}/api/v3/traces/${traceId}`);
      expect(res.status).toBe(200);
      const document = JSON.stringify(res.body);
      for (const [field, value] of Object.entries(PERSONAL))
        if (document.includes(value)) leaks.push(`${traceId}: the ${field} value`);
      for (const { key } of attributesIn(res.body))
        if (PERSONAL_KEY.test(key)) leaks.push(`${traceId}: attribute ${key}`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});

describe('the whole system as its own users', () => {
  it("ran every flow above without the server refusing any service anything (only this file's forged clients)", () => {
    // nats-server logs each refused operation with the client's name: the services use theirs.
    const violations = readFileSync(path.join(logDir, 'nats.log'), 'utf8')
      .split('\n')
      .filter((line) => /Violation/.test(line));
    expect(violations.length).toBeGreaterThanOrEqual(FORBIDDEN.length); // the log does record them
    expect(violations.filter((line) => !line.includes('nats.js:security-'))).toEqual([]);
  });
});
