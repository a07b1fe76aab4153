// The end of every chaos run: stop the load, wait for every order to end and for quiet, then audit.
import {
  connect,
  type ConnectionOptions,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { LoadSummary } from '../../../apps/loadgen/src/load-summary';
import type { FlowscopeSystem } from '../../../deploy/launch/system';
import { audit, eventsByOrder, kvKeys, waitForEveryOrderToEnd, waitForQuiet, type Audit } from './invariants';
import { waitForTrackerDrained } from '../../support/tracker';
import type { BackgroundLoad } from './load';

/** The test's own NATS connection: every server of the system, as the admin when NATS has users. */
export async function connectAsAdmin(
  system: FlowscopeSystem,
): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> {
  const admin = system.nats.users?.admin;
  const options: ConnectionOptions = {
    servers: system.natsUrl.split(','),
    name: 'chaos-test',
    maxReconnectAttempts: -1,
    ...(admin ? { user: admin.user, pass: admin.pass } : {}),
  };
  const nc = await connect(options);
  return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
}

/** What a run ends with: the loadgen's summary, the audit, and how long the system took to settle. */
export interface Settled {
  summary: LoadSummary;
  audit: Audit;
  /** Orders the orders service recorded but whose 201 never reached the loadgen. */
  recordedWithoutAnswer: number;
  /** Event streams' orders that are neither accepted nor recorded (must be none). */
  strays: string[];
  settleSec: number;
}

/**
 * Stops the load, waits until every order accepted (or recorded by the orders service: its answer
 * may have been lost in a crash) has ended and every consumer is quiet, then audits every order.
 */
export async function settle(
  system: FlowscopeSystem,
  nats: { js: JetStreamClient; jsm: JetStreamManager },
  load: BackgroundLoad,
): Promise<Settled> {
  const summary = await load.stop();
  const from = Date.now();
  const prefix = load.idPrefix;
  let recorded = await kvKeys(nats.js, 'orders', prefix);
  const orderIds = () => new Set([...load.accepted, ...recorded]);
  await waitForEveryOrderToEnd(nats.js, nats.jsm, orderIds, prefix, 300_000);
  await waitForQuiet(nats.jsm, 120_000);
  // The tracker reads through an ordered consumer (no acks: not among the durables above). It has
  // caught up once every partition's checkpoint covers the stream, e.g. after a restart late in the
  // run, which waits for the killed process's leases to lapse and then replays from the checkpoint.
  await waitForTrackerDrained(system.app('process-tracker'), nats.jsm, 120_000);
  recorded = await kvKeys(nats.js, 'orders', prefix);
  const events = await eventsByOrder(nats.js, nats.jsm, prefix);
  const result = await audit({
    orderIds: orderIds(),
    events,
    ordersUrl: system.app('orders').url,
    trackerUrl: system.app('process-tracker').url,
  });
  const accepted = new Set(load.accepted);
  return {
    summary,
    audit: result,
    recordedWithoutAnswer: recorded.filter((id) => !accepted.has(id)).length,
    strays: [...events.keys()].filter((id) => !orderIds().has(id)),
    settleSec: Math.round((Date.now() - from) / 1000),
  };
}

/** The figures every scenario reports (RELIABILITY.md). */
export function commonFigures(settled: Settled): Record<string, unknown> {
  const { summary, audit: a } = settled;
  return {
    accepted: summary.placed,
    placementErrors: summary.errors,
    byStyle: summary.byStyle,
    recordedWithoutAnswer: settled.recordedWithoutAnswer,
    orders: a.orders,
    outcomes: a.outcomes,
    lost: a.problems.filter((p) => p.problem.startsWith('not ended') || p.problem === 'no event at all').length,
    problems: a.problems.length,
    trackerDuplicates: a.trackerDuplicates,
    notNotified: a.notNotified,
    strays: settled.strays.length,
    settleSec: settled.settleSec,
  };
}
