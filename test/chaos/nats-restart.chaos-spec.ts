// Issue 7, NATS: the single nats-server (file store) stopped and started again on the same port and
// store under load, once with SIGTERM and once with SIGKILL; the services reconnect on their own and
// no order or flow the system accepted is lost. Knob: CHAOS_RATE (orders/s, default 5).
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { writeFigures } from './support/figures';
import { startLoad } from './support/load';
import { commonFigures, connectAsAdmin, settle } from './support/settle';

const RATE = Number(process.env.CHAOS_RATE ?? 5);

let system: FlowscopeSystem;
let nats: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager };

beforeAll(async () => {
  system = await startSystem({ tracing: false, appEnv: { LOG_LEVEL: 'warn' }, logDir: process.env.CHAOS_LOG_DIR });
  nats = await connectAsAdmin(system);
}, 180_000);

afterAll(async () => {
  await nats?.nc.close();
  await system?.stop();
}, 120_000);

describe('nats-server restarted under load', () => {
  it('after a SIGTERM restart and a SIGKILL restart of NATS, every order accepted ends in both styles and the tracker agrees', async () => {
    const load = startLoad({
      natsUrl: system.natsUrl,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      idPrefix: `chaos-nats-${Date.now() % 1_000_000}`,
      rate: RATE,
    });
    const outages: Record<string, { downMs: number; progressMs: number }> = {};
    const restarting = (async () => {
      await load.progressed(20, 60_000);
      for (const how of ['SIGTERM', 'SIGKILL'] as const) {
        const down = Date.now();
        if (how === 'SIGKILL') await system.nats.kill9();
        await system.nats.restart(); // a graceful stop first when still running; same ports, same store
        const up = Date.now();
        await load.progressed(20, 120_000); // orders go through again end to end (POST /orders stores order.placed)
        outages[how] = { downMs: up - down, progressMs: Date.now() - up };
        console.log(`nats ${how}: down ${up - down} ms, 20 orders through ${Date.now() - up} ms later`);
      }
    })();
    const failure = await restarting.then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    if (failure) {
      await load.stop().catch(() => undefined);
      throw failure;
    }
    const settled = await settle(system, nats, load);

    const figures = { rate: RATE, outages, ...commonFigures(settled) };
    console.log(`chaos nats restart figures: ${JSON.stringify(figures)}`);
    writeFigures('nats-restart', figures);

    expect(Object.keys(outages)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(settled.audit.problems.slice(0, 20)).toEqual([]);
    expect(settled.strays).toEqual([]);
    expect(settled.audit.orders).toBeGreaterThanOrEqual(60);
  }, 900_000);
});
