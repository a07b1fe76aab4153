// Issue 4 acceptance with the tracker alone (no other app): the real NATS CLI, stalls, bad input,
// kill -9 in a burst, two replicas, and a new definition file.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { parse } from 'yaml';
import type { FlowDefinition } from '@flowscope/contracts';
import type { AppProcess } from '../deploy/launch/apps';
import { natsConnectOptions } from '../deploy/launch/nats-auth';
import { waitFor } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import { dlqMessages } from './support/flow';
import { natsPub } from './support/nats-cli';
import {
  allFlows,
  diffFromPublished,
  flowEvents,
  getFlow,
  partitionsOf,
  SCENARIOS,
  shuffle,
  startTracker,
  waitForTrackerDrained,
  type FlowBody,
} from './support/tracker';

const FLOWS_DIR = path.join(__dirname, '..', 'apps', 'process-tracker', 'flows');
const def = parse(readFileSync(path.join(FLOWS_DIR, 'order-fulfillment.yaml'), 'utf8')) as FlowDefinition;
const FAST = { FLOW_TIMEOUT_MS: '3000', STALL_SWEEP_MS: '200' };
const SLOW_SLA_MS = 3_600_000;

let system: FlowscopeSystem;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const trackers: AppProcess[] = [];

beforeAll(async () => {
  system = await startSystem({ apps: [], tracing: false });
  nc = await connect(natsConnectOptions(system.nats));
  js = nc.jetstream();
  jsm = await nc.jetstreamManager();
}, 120_000);

afterAll(async () => {
  await Promise.all(trackers.map((t) => t.stop()));
  await nc?.close();
  await system?.stop();
}, 60_000);

async function tracker(env: NodeJS.ProcessEnv = FAST): Promise<AppProcess> {
  await Promise.all(trackers.splice(0).map((t) => t.stop()));
  const started = await startTracker(system.nats, env);
  trackers.push(started);
  return started;
}

const flowStatus = (t: AppProcess, key: string) => async () => (await getFlow(t, key)).body;

describe('process tracker with the NATS CLI', () => {
  it('a shuffled, duplicated sequence published with `nats pub` gives the expected status', async () => {
    const t = await tracker();
    const events = flowEvents('cli-shuffled', SCENARIOS.compensatedShipment, Date.now());
    const published = shuffle([...events, events[1], events[4]], 7);
    for (const event of published) await natsPub(system.nats, event.type, JSON.stringify(event));

    const flow = await waitFor(
      async () => {
        const body = await flowStatus(t, 'cli-shuffled')();
        return body.events?.length === events.length && body.duplicates === 2 ? body : undefined;
      },
      { timeoutMs: 20_000, what: 'the shuffled flow with both duplicates' },
    );
    expect(flow).toMatchObject({ status: 'compensated', style: 'choreography', duplicates: 2 });
    expect(flow.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'order:done',
      'payment:compensated',
      'stock:compensated',
      'shipment:failed',
      'completion:failed',
      'notification:done',
    ]);
  }, 60_000);

  it('an incomplete flow becomes stalled after FLOW_TIMEOUT_MS, then completed once the missing events arrive', async () => {
    const t = await tracker();
    const lifecycle: string[] = [];
    const sub = nc.subscribe('flow.>', {
      callback: (_e, m) => {
        const body = m.json<{ key: string; status: string }>();
        if (body.key === 'cli-stalled') lifecycle.push(m.subject);
      },
    });
    const events = flowEvents('cli-stalled', SCENARIOS.completed, Date.now());
    for (const event of events.slice(0, 2)) await natsPub(system.nats, event.type, JSON.stringify(event));
    await waitFor(async () => (await flowStatus(t, 'cli-stalled')()).status === 'stalled' || undefined, {
      timeoutMs: 20_000,
      what: 'stalled',
    });

    for (const event of events.slice(2)) await natsPub(system.nats, event.type, JSON.stringify(event));
    await waitFor(async () => (await flowStatus(t, 'cli-stalled')()).status === 'completed' || undefined, {
      timeoutMs: 20_000,
      what: 'completed',
    });
    await waitFor(() => lifecycle.includes('flow.completed') || undefined, {
      timeoutMs: 5000,
      what: 'flow.completed on NATS',
    });
    expect(lifecycle).toEqual(['flow.running', 'flow.stalled', 'flow.completed']);
    sub.unsubscribe();

    // Prometheus sees it too: counted as stalled, then recovered; durations carry trace-id exemplars.
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^flowscope_flows_stalled_total\{definition="order-fulfillment",style="choreography"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^flowscope_flows_recovered_total\{definition="order-fulfillment",style="choreography",status="completed"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^flowscope_flow_duration_seconds_bucket\{.*status="completed".*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/m,
    );
    expect(metrics).not.toContain('cli-stalled'); // no business id in a label
  }, 60_000);

  it('answers 404 with a JSON error for an unknown flow or definition, and 400 for bad parameters', async () => {
    const t = trackers[0] ?? (await tracker());
    expect(await getFlow(t, 'never-seen')).toMatchObject({ status: 404, body: { error: 'FLOW_NOT_FOUND' } });
    expect(await getFlow(t, 'x', 'no-such-flow')).toMatchObject({
      status: 404,
      body: { error: 'DEFINITION_NOT_FOUND' },
    });
    for (const query of ['status=finished', 'limit=0', 'limit=abc', 'definition=nope', 'cursor=%%%']) {
      const res = await fetch(`${t.url}/flows?${query}`);
      expect({ query, status: res.status, error: ((await res.json()) as { error?: string }).error }).toEqual({
        query,
        status: 400,
        error: 'INVALID_QUERY',
      });
    }
  }, 30_000);

  it('malformed JSON, an unknown type and a missing correlation go to dlq.process-tracker with the reason', async () => {
    const t = await tracker();
    const before = (await dlqMessages(jsm)).length;
    await natsPub(system.nats, 'order.placed', '{"orderId": ');
    await natsPub(system.nats, 'order.exploded', '{"orderId":"x-1"}');
    await natsPub(system.nats, 'customer.notified', '{"channel":"email","template":"t"}');
    const letters = await waitFor(
      async () => {
        const all = (await dlqMessages(jsm)).slice(before).filter((m) => m.subject === 'dlq.process-tracker');
        return all.length >= 3 ? all : undefined;
      },
      { timeoutMs: 20_000, what: 'three dead letters from the tracker' },
    );
    expect(letters.map((m) => m.headers?.get('Flowscope-Dlq-Code')).sort()).toEqual([
      'INVALID_EVENT',
      'MALFORMED_JSON',
      'UNKNOWN_EVENT_TYPE',
    ]);
    expect((await getFlow(t, 'x-1')).status).toBe(404);
    expect(t.process?.running).toBe(true);
  }, 60_000);
});

/** ≥10,000 events for `count` flows of every scenario, shuffled, 1 in 20 published twice. */
function burst(prefix: string, count: number) {
  const start = Date.now();
  const names = Object.keys(SCENARIOS);
  const flows = Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-${i}`,
    events: flowEvents(`${prefix}-${i}`, SCENARIOS[names[i % names.length]], start + i),
  }));
  const events = flows.flatMap((f) => f.events);
  const duplicates = events.filter((_, i) => i % 20 === 0);
  return { flows, duplicates, messages: shuffle([...events, ...duplicates], count) };
}

async function publishAll(messages: { type: string }[], onProgress?: (done: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    // No Nats-Msg-Id: duplicates must reach the tracker, which dedupes by event id itself.
    await Promise.all(messages.slice(i, i + 500).map((m) => js.publish(m.type, JSON.stringify(m))));
    await onProgress?.(i + 500);
  }
}

/** Jepsen-style: the state computed from what was published, against what the tracker lists. */
const diff = (flows: ReturnType<typeof burst>['flows'], duplicates: { id: string }[], observed: FlowBody[]) =>
  diffFromPublished(def, flows, duplicates, new Map(observed.map((f) => [f.key, f])), SLOW_SLA_MS);

describe('process tracker under crashes and replicas', () => {
  const SLOW_SLA = { FLOW_TIMEOUT_MS: String(SLOW_SLA_MS), STALL_SWEEP_MS: '1000' };

  it('kill -9 in the middle of a burst of 10,000+ events: nothing lost, nothing counted twice', async () => {
    let t = await tracker(SLOW_SLA);
    const { flows, duplicates, messages } = burst('crash', 1900);
    expect(messages.length).toBeGreaterThanOrEqual(10_000);
    let killed = false;
    await publishAll(messages, async (done) => {
      if (killed || done < messages.length / 2) return;
      await waitFor(async () => (await partitionsOf(t)).partitions.every((p) => p.position > 1000) || undefined, {
        timeoutMs: 30_000,
        what: 'the tracker under way (checkpoints past sequence 1000)',
      });
      await t.kill9();
      killed = true;
    });
    expect(killed).toBe(true);
    t = await tracker(SLOW_SLA);
    await waitForTrackerDrained(t, jsm, 180_000);
    const observed = await allFlows(t);
    expect(diff(flows, duplicates, observed)).toEqual([]);
  }, 300_000);

  it('two tracker replicas consuming at once end with the same states as one', async () => {
    const a = await tracker(SLOW_SLA);
    const b = await startTracker(system.nats, SLOW_SLA);
    trackers.push(b);
    const { flows, duplicates, messages } = burst('pair', 800);
    await publishAll(messages);
    await waitForTrackerDrained(a, jsm, 180_000);
    for (const replica of [a, b]) {
      // Each replica's view follows the other's writes through the KV watch: allow it to catch up.
      const agreed = await waitFor(
        async () => diff(flows, duplicates, await allFlows(replica)).length === 0 || undefined,
        {
          timeoutMs: 30_000,
          what: `replica ${replica.url} to agree with the published events`,
        },
      ).catch(() => false);
      if (!agreed) expect(diff(flows, duplicates, await allFlows(replica)).slice(0, 5)).toEqual([]);
    }
  }, 300_000);

  it('a new definition file in a copy of the definitions folder is tracked after a restart, with no code change', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-flows-'));
    try {
      cpSync(FLOWS_DIR, dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'signup.yaml'),
        [
          'name: signup',
          'correlation: customerId',
          'timeoutMs: 60000',
          'steps:',
          '  - name: requested',
          '    done: [customer.signup-requested]',
          '  - name: verified',
          '    done: [customer.verified]',
          '    failed: [customer.rejected]',
        ].join('\n'),
      );
      const t = await tracker({ ...FAST, FLOW_DEFINITIONS_DIR: dir });
      expect((await getFlowDefinitions(t)).sort()).toEqual(['order-fulfillment', 'signup']);
      await natsPub(system.nats, 'customer.signup-requested', '{"customerId":"cust-77"}');
      await natsPub(system.nats, 'customer.verified', '{"customerId":"cust-77"}');
      await waitFor(async () => (await getFlow(t, 'cust-77', 'signup')).body.status === 'completed' || undefined, {
        timeoutMs: 20_000,
        what: 'the signup flow to complete',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function getFlowDefinitions(t: AppProcess): Promise<string[]> {
  const res = await fetch(`${t.url}/definitions`);
  return ((await res.json()) as { items: { name: string }[] }).items.map((d) => d.name);
}
