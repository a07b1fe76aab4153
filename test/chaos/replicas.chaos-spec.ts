// Issue 14: two replicas of each service (orders, payments, seller, logistics, notification) share
// their durable consumers and command queue groups, under the load generator's traffic in both
// styles, while the test publishes a copy (a new message id) of every forward event at once, so
// that the original and its copy are usually handled by the two replicas at the same moment. Then
// every order has ended properly, no domain event took effect twice, the tracker agrees, and the
// customers were told once per order. Knobs: CHAOS_RATE (orders/s, default 5), CHAOS_SECONDS (60).
import { headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { AppProcess, type AppName } from '../../deploy/launch/apps';
import { natsClientEnv } from '../../deploy/launch/nats-auth';
import { freePort } from '../../deploy/launch/ports';
import { httpJson } from '../../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { writeFigures } from './support/figures';
import { CHAOS_COPY_HEADER } from './support/invariants';
import { startLoad } from './support/load';
import { commonFigures, connectAsAdmin, settle } from './support/settle';

const RATE = Number(process.env.CHAOS_RATE ?? 5);
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 60);
const REPLICATED: AppName[] = ['orders', 'payments', 'seller', 'logistics', 'notification'];
/** Every event a service reacts to in choreography: a copy of each reaches the other replica. */
const COPIED = ['order.placed', 'payment.authorized', 'stock.reserved', 'shipment.scheduled', 'order.completed'];

let system: FlowscopeSystem;
let nats: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager };
const twins: AppProcess[] = [];

beforeAll(async () => {
  system = await startSystem({ tracing: false, appEnv: { LOG_LEVEL: 'warn' }, logDir: process.env.CHAOS_LOG_DIR });
  nats = await connectAsAdmin(system);
  for (const name of REPLICATED) {
    const env = { ...natsClientEnv(system.nats.users?.[name]), LOG_LEVEL: 'warn' };
    twins.push(new AppProcess(name, { natsUrl: system.natsUrl, httpPort: await freePort(), env }));
  }
  await Promise.all(twins.map((twin) => twin.start()));
}, 180_000);

afterAll(async () => {
  await Promise.all(twins.map((twin) => twin.stop()));
  await nats?.nc.close();
  await system?.stop();
}, 120_000);

/** Re-publishes every forward event of the run's orders under a new message id, marked as a copy. */
function copyEvents(prefix: string): { copies: () => number; stop: () => void } {
  let copies = 0;
  const subs = COPIED.map((subject) =>
    nats.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error || msg.headers?.get(CHAOS_COPY_HEADER) || !msg.string().includes(`"${prefix}`)) return;
        const headers = natsHeaders();
        headers.set(CHAOS_COPY_HEADER, '1');
        const id = msg.headers?.get('Nats-Msg-Id') || `${subject}-${copies}`;
        copies++;
        void nats.js.publish(subject, msg.data, { msgID: `${id}-copy`, headers }).catch(() => undefined);
      },
    }),
  );
  return { copies: () => copies, stop: () => subs.forEach((s) => s.unsubscribe()) };
}

async function notificationsSent(): Promise<number> {
  const urls = [system.app('notification').url, ...twins.filter((t) => t.name === 'notification').map((t) => t.url)];
  const texts = await Promise.all(urls.map(async (url) => (await httpJson<string>(`${url}/metrics`)).body));
  const sample = /^flowscope_notifications_sent_total\{[^}]*\} ([0-9.e+]+)$/gm;
  return texts.reduce((sum, text) => sum + [...String(text).matchAll(sample)].reduce((s, m) => s + Number(m[1]), 0), 0);
}

describe('two replicas of each service', () => {
  it('with a copy of every event handled alongside its original, every order ends once, nothing is applied twice, each customer is told once', async () => {
    const idPrefix = `chaos-twins-${Date.now() % 1_000_000}`;
    const copier = copyEvents(idPrefix);
    const load = startLoad({
      natsUrl: system.natsUrl,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      idPrefix,
      rate: RATE,
    });
    await load.progressed(RATE * SECONDS, (SECONDS + 120) * 1000);
    const settled = await settle(system, nats, load);
    copier.stop();

    const sent = await notificationsSent();
    const figures = { rate: RATE, seconds: SECONDS, copies: copier.copies(), sent, ...commonFigures(settled) };
    console.log(`chaos replicas figures: ${JSON.stringify(figures)}`);
    writeFigures('replicas', figures);

    expect(copier.copies()).toBeGreaterThan(RATE * SECONDS);
    expect(settled.audit.problems.slice(0, 20)).toEqual([]);
    expect(settled.strays).toEqual([]);
    // One message per notified order, though both replicas saw each order.completed/cancelled twice.
    expect(sent).toBe(settled.audit.orders - settled.audit.notNotified);
  }, 900_000);
});
