// Issue 7, NATS cluster: three nats-servers on loopback with JetStream clustering; streams and KV
// buckets with 3 replicas (NATS_REPLICAS=3). Under load, one node is killed with SIGKILL (orders must
// keep going through on the other two) and restarted, twice; no order or flow is lost.
// Knobs: CHAOS_SEED (which node dies), CHAOS_RATE (orders/s, default 5).
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { writeFigures } from './support/figures';
import { seededRandom } from './support/invariants';
import { startLoad } from './support/load';
import { commonFigures, connectAsAdmin, settle } from './support/settle';

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const RATE = Number(process.env.CHAOS_RATE ?? 5);
const NODE_KILLS = 2;

let system: FlowscopeSystem;
let nats: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager };
const replicasBefore = process.env.NATS_REPLICAS;

beforeAll(async () => {
  // The test's own clients (stream set-up, the loadgen's flags bucket) create with 3 replicas too.
  process.env.NATS_REPLICAS = '3';
  system = await startSystem({
    tracing: false,
    natsClusterSize: 3,
    appEnv: { LOG_LEVEL: 'warn' },
    logDir: process.env.CHAOS_LOG_DIR,
  });
  nats = await connectAsAdmin(system);
}, 240_000);

afterAll(async () => {
  if (replicasBefore === undefined) delete process.env.NATS_REPLICAS;
  else process.env.NATS_REPLICAS = replicasBefore;
  await nats?.nc.close();
  await system?.stop();
}, 120_000);

/** Every stream (EVENTS, DLQ and the KV buckets' `KV_*`) with its replicas. */
async function replicasByStream(jsm: JetStreamManager): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const info of await jsm.streams.list().next()) out[info.config.name] = info.config.num_replicas;
  return out;
}

describe('a node of a 3-node JetStream cluster killed under load', () => {
  it('streams and KV buckets have 3 replicas; orders go through while a node is down; after two kills no order or flow is lost', async () => {
    console.log(`chaos cluster: seed ${SEED} (CHAOS_SEED=${SEED} kills the same nodes), ${RATE} orders/s`);
    const random = seededRandom(SEED);
    const load = startLoad({
      natsUrl: system.natsUrl,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      idPrefix: `chaos-cluster-${SEED}`,
      rate: RATE,
    });
    const kills: { node: string; progressWhileDownMs: number; rejoinMs: number }[] = [];
    let replicas: Record<string, number> = {};
    const killing = (async () => {
      await load.progressed(20, 60_000);
      replicas = await replicasByStream(nats.jsm);
      for (let k = 0; k < NODE_KILLS; k++) {
        const node = system.natsServers[Math.floor(random() * system.natsServers.length)];
        await node.kill9();
        process.stderr.write(`${node.process.name} killed (${load.accepted.length} orders so far)\n`);
        const down = Date.now();
        await load.progressed(20, 120_000); // two nodes of three still make a quorum
        const progressWhileDownMs = Date.now() - down;
        process.stderr.write(`orders went through without ${node.process.name}; restarting it\n`);
        await node.restart(); // same ports, same store: it catches up from the others
        process.stderr.write(`${node.process.name} healthy again (${load.accepted.length} orders so far)\n`);
        kills.push({ node: node.process.name, progressWhileDownMs, rejoinMs: Date.now() - down - progressWhileDownMs });
        await load.progressed(20, 120_000);
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
    const settled = await settle(system, nats, load);

    const figures = { seed: SEED, rate: RATE, replicas, kills, ...commonFigures(settled) };
    console.log(`chaos cluster figures: ${JSON.stringify(figures)}`);
    writeFigures('nats-cluster', figures);

    const expectedStreams = [
      'EVENTS',
      'DLQ',
      'KV_orders',
      'KV_sagas',
      'KV_payments',
      'KV_flows',
      'KV_flags',
      'KV_notification-sent',
    ];
    expect(Object.keys(replicas)).toEqual(expect.arrayContaining(expectedStreams));
    expect(Object.entries(replicas).filter(([, n]) => n !== 3)).toEqual([]);
    expect(kills).toHaveLength(NODE_KILLS);
    expect(settled.audit.problems.slice(0, 20)).toEqual([]);
    expect(settled.strays).toEqual([]);
  }, 900_000);
});
