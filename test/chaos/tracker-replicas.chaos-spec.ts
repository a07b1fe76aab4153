// Issue 13's crash tests with real processes: two tracker replicas share the partitions of a burst
// of 10,000+ flows of every outcome (events shuffled, 1 in 20 published twice). In the middle of the
// burst one replica is killed with SIGKILL (its partitions move to the other once their leases
// lapse) and started again (partitions move back). Afterwards every flow, read by key from both
// replicas, has the status, events and duplicate count that the published events define
// (Jepsen-style diff). The same on a 3-node JetStream cluster with a NATS node killed in the burst.
// CHAOS_TRACKER_ENV (JSON) adds to the trackers' environment, e.g. another CHECKPOINT_MS.
import type { FlowDefinition } from '@flowscope/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { parse } from 'yaml';
import { partitionOf } from '../../apps/process-tracker/src/flows/partitions/partitioning';
import type { AppProcess } from '../../deploy/launch/apps';
import { natsConnectOptions } from '../../deploy/launch/nats-auth';
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import {
  diffFromPublished,
  flowEvents,
  type FlowMismatch,
  partitionsOf,
  SCENARIOS,
  shuffle,
  startTracker,
  waitForTrackerDrained,
  type FlowBody,
} from '../support/tracker';
import { writeFigures } from './support/figures';

const FLOWS = Number(process.env.CHAOS_TRACKER_FLOWS ?? 10_000);
const SLA_MS = 3_600_000;
const TRACKER_ENV = {
  FLOW_TIMEOUT_MS: String(SLA_MS),
  LOG_LEVEL: 'warn',
  ...(process.env.CHAOS_TRACKER_ENV ? (JSON.parse(process.env.CHAOS_TRACKER_ENV) as Record<string, string>) : {}),
};
const def = parse(
  readFileSync(path.join(__dirname, '../../apps/process-tracker/flows/order-fulfillment.yaml'), 'utf8'),
) as FlowDefinition;

interface Rig {
  system: FlowscopeSystem;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  trackers: AppProcess[];
  /** Killed ones (their logs tell a failed run's story). */
  gone: AppProcess[];
}

async function rig(cluster: boolean): Promise<Rig> {
  const system = await startSystem({
    apps: [],
    tracing: false,
    ...(cluster ? { natsClusterSize: 3 } : {}),
    logDir: process.env.CHAOS_LOG_DIR,
  });
  const nc = await connect({ ...natsConnectOptions(system.nats), servers: system.natsUrl.split(',') });
  return { system, nc, js: nc.jetstream(), jsm: await nc.jetstreamManager(), trackers: [], gone: [] };
}

async function stopRig(r: Rig | undefined): Promise<void> {
  await Promise.all(r?.trackers.map((t) => t.stop()) ?? []);
  await r?.nc.close();
  await r?.system.stop();
}

async function tracker(r: Rig): Promise<AppProcess> {
  const t = await startTracker({ url: r.system.natsUrl, users: r.system.nats.users }, TRACKER_ENV);
  r.trackers.push(t);
  return t;
}

function burst(prefix: string) {
  const start = Date.now();
  const names = Object.keys(SCENARIOS);
  const flows = Array.from({ length: FLOWS }, (_, i) => ({
    key: `${prefix}-${i}`,
    events: flowEvents(`${prefix}-${i}`, SCENARIOS[names[i % names.length]], start + i),
  }));
  const events = flows.flatMap((f) => f.events);
  const duplicates = events.filter((_, i) => i % 20 === 0);
  return { flows, duplicates, messages: shuffle([...events, ...duplicates], FLOWS) };
}

/**
 * Publishes in slices of 500, `onProgress` between slices. Each message's Nats-Msg-Id is its place in
 * the burst: a publish retried after a lost PubAck (a NATS node down) is stored once, while the
 * burst's own duplicates (same event id, another message) all reach the tracker.
 */
async function publishAll(
  js: JetStreamClient,
  messages: { type: string }[],
  onProgress: (done: number) => Promise<void>,
): Promise<void> {
  const publish = async (m: { type: string }, i: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await js.publish(m.type, JSON.stringify(m), { msgID: `burst-${i}`, timeout: 5000 });
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  for (let i = 0; i < messages.length; i += 500) {
    await Promise.all(messages.slice(i, i + 500).map((m, j) => publish(m, i + j)));
    await onProgress(Math.min(i + 500, messages.length));
  }
}

/** Every flow read by key from `t` (any replica answers for every flow), 50 requests at a time. */
async function readAll(t: AppProcess, keys: string[]): Promise<Map<string, FlowBody>> {
  const out = new Map<string, FlowBody>();
  for (let i = 0; i < keys.length; i += 50)
    await Promise.all(
      keys.slice(i, i + 50).map(async (key) => {
        const res = await httpJson<FlowBody>(`${t.url}/flows/order-fulfillment/${key}`);
        if (res.status === 200) out.set(key, res.body);
      }),
    );
  return out;
}

/** For a failed run's story: per wrong flow, its partition and where in the burst its missing events were. */
function missingReport(b: ReturnType<typeof burst>, wrong: FlowMismatch[]): string {
  const placeOf = new Map<string, number>();
  b.messages.forEach((m, i) => {
    const { id } = m as unknown as { id: string };
    if (!placeOf.has(id)) placeOf.set(id, i);
  });
  return wrong
    .slice(0, 40)
    .map(({ key, expected, actual }) => {
      const missing = expected.events.filter((id) => !actual?.events.includes(id)).map((id) => placeOf.get(id));
      const partition = partitionOf(`order-fulfillment.${key}`, 16);
      return `${key} (partition ${partition}): missing the events published ${missing.join(', ')}th`;
    })
    .join('\n');
}

/** Both replicas hold partitions and every partition has an owner. */
async function balanced(a: AppProcess, b: AppProcess): Promise<true> {
  return waitFor(
    async () => {
      const [pa, pb] = await Promise.all([partitionsOf(a), partitionsOf(b)]);
      return (pa.owned.length > 0 && pb.owned.length > 0 && pa.partitions.every((p) => p.owner !== null)) || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'both replicas to hold partitions' },
  );
}

async function verify(r: Rig, b: ReturnType<typeof burst>, label: string, extra: Record<string, unknown>) {
  const [a, c] = r.trackers.slice(-2);
  await waitForTrackerDrained(a, r.jsm, 300_000);
  const keys = b.flows.map((f) => f.key);
  const problems: Record<string, FlowMismatch[]> = {};
  for (const t of [a, c])
    problems[t.url] = diffFromPublished(def, b.flows, b.duplicates, await readAll(t, keys), SLA_MS);
  const figures = {
    flows: FLOWS,
    messages: b.messages.length,
    duplicates: b.duplicates.length,
    mismatches: Object.values(problems).map((p) => p.length),
    ...extra,
  };
  console.log(`tracker ${label}: ${JSON.stringify(figures)}`);
  if (Object.values(problems).some((p) => p.length > 0)) console.log(missingReport(b, Object.values(problems).flat()));
  writeFigures(`tracker-${label}`, figures);
  if (Object.values(problems).some((p) => p.length > 0))
    for (const t of r.trackers.concat(r.gone))
      console.log(
        `${t.url} warnings:\n${t
          .logs()
          .split('\n')
          .filter((l) => /"level":(40|50)/.test(l))
          .slice(-40)
          .join('\n')}`,
      );
  for (const found of Object.values(problems)) expect(found.slice(0, 5)).toEqual([]);
}

describe('two tracker replicas under crashes', () => {
  let r: Rig | undefined;
  afterEach(() => stopRig(r), 120_000);

  it('kill -9 of one of two replicas in a burst of 10,000+ flows: every flow as its events define, on both', async () => {
    r = await rig(false);
    const [a, b0] = [await tracker(r), await tracker(r)];
    await balanced(a, b0);
    const data = burst('kill');
    let killedAt = -1;
    let b = b0;
    await publishAll(r.js, data.messages, async (done) => {
      if (killedAt >= 0 || done < data.messages.length / 2) return;
      const owned = (await partitionsOf(b)).owned.length;
      await b.kill9();
      killedAt = done;
      console.log(`killed replica ${b.url} holding ${owned} partitions after ${done} messages`);
    });
    // The survivor takes the killed replica's partitions once their leases lapse.
    await waitFor(async () => (await partitionsOf(a)).owned.length === 16 || undefined, {
      timeoutMs: 60_000,
      what: 'the survivor to take every partition',
    });
    r.gone.push(...r.trackers.splice(r.trackers.indexOf(b), 1));
    b = await tracker(r);
    await balanced(a, b);
    await verify(r, data, 'kill', { killedAfterMessages: killedAt });
  }, 900_000);

  it('on a 3-node JetStream cluster with a NATS node killed in the burst: every flow as its events define', async () => {
    const replicasBefore = process.env.NATS_REPLICAS;
    process.env.NATS_REPLICAS = '3';
    try {
      r = await rig(true);
      const [a, b] = [await tracker(r), await tracker(r)];
      await balanced(a, b);
      const data = burst('cluster');
      let killed: string | undefined;
      const node = r.system.natsServers[2];
      await publishAll(r.js, data.messages, async (done) => {
        if (killed || done < data.messages.length / 3) return;
        await node.kill9();
        killed = node.process.name;
        console.log(`killed NATS node ${killed} after ${done} messages`);
      });
      await node.restart();
      await verify(r, data, 'cluster', { killedNode: killed });
    } finally {
      if (replicasBefore === undefined) delete process.env.NATS_REPLICAS;
      else process.env.NATS_REPLICAS = replicasBefore;
    }
  }, 900_000);
});
