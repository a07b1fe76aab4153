// Issue 7, crashes: kill -9 of a random app (the tracker included), again and again, under the load
// generator's traffic in both styles; then every order accepted has ended properly, no domain event
// took effect twice, and the orders API and the tracker agree with the events.
// Knobs: CHAOS_KILLS (default 50), CHAOS_SEED (default: the clock), CHAOS_RATE (orders/s, default 5).
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { APP_NAMES, type AppName } from '../../deploy/launch/apps';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { writeFigures } from './support/figures';
import { percentiles, seededRandom } from './support/invariants';
import { startLoad } from './support/load';
import { commonFigures, connectAsAdmin, settle } from './support/settle';

const KILLS = Number(process.env.CHAOS_KILLS ?? 50);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
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

describe('kill -9 of random apps under load', () => {
  it(`after ${KILLS} kills in both styles, every order accepted is completed or cancelled with its compensations, once, and the tracker agrees`, async () => {
    console.log(
      `chaos kills: seed ${SEED} (CHAOS_SEED=${SEED} replays the same victims), ${KILLS} kills, ${RATE} orders/s`,
    );
    const random = seededRandom(SEED);
    const startedAt = Date.now();
    const load = startLoad({
      natsUrl: system.natsUrl,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      idPrefix: `chaos-kill-${SEED}`,
      rate: RATE,
    });
    const recoveries: number[] = [];
    const victims: Record<string, number> = {};
    const killing = (async () => {
      await load.progressed(10, 60_000);
      for (let k = 0; k < KILLS; k++) {
        const name: AppName = APP_NAMES[Math.floor(random() * APP_NAMES.length)];
        victims[name] = (victims[name] ?? 0) + 1;
        const killedAt = Date.now();
        await system.app(name).kill9();
        await system.app(name).start(); // resolves once GET /health answers 200 again
        await load.progressed(3, 60_000); // and orders go through again before the next crash
        recoveries.push(Date.now() - killedAt);
      }
    })();
    const failure = await killing.then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    if (failure) {
      await load.stop().catch(() => undefined);
      throw failure;
    }
    const loadSec = Math.round((Date.now() - startedAt) / 1000);
    const settled = await settle(system, nats, load);

    const figures = {
      seed: SEED,
      kills: recoveries.length,
      victims,
      rate: RATE,
      loadSec,
      recoveryMs: percentiles(recoveries),
      ...commonFigures(settled),
    };
    console.log(`chaos kills figures: ${JSON.stringify(figures)}`);
    writeFigures('kills', figures);

    expect(recoveries.length).toBe(KILLS);
    expect(settled.summary.placed).toBeGreaterThan(KILLS);
    expect(settled.audit.problems.slice(0, 20)).toEqual([]);
    expect(settled.strays).toEqual([]);
  }, 1_200_000);
});
