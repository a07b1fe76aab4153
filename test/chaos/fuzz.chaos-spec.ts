// Issue 7, bad-input fuzz: over 10,000 seeded malformed, oversized, wrongly typed, unicode-heavy and
// duplicate messages on every event and command subject and on the orders API, against the whole
// system as real processes. Nothing crashes; every refusal is answered or dead-lettered with its
// reason and counted; nothing is redelivered forever; a valid order still completes afterwards.
import { commandSubjects, eventTypes } from '@flowscope/contracts';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { DLQ_STREAM } from '@flowscope/contracts';
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { placeOrder, streamMessages, waitForOutcome, waitForQuiet } from '../support/flow';
import { COMMAND_KINDS, ownerOf } from './support/fuzz/command-cases';
import { generateFuzz, type FuzzPlan } from './support/fuzz/plan';
import { Rng } from './support/fuzz/random';
import {
  pool,
  sendCommands,
  sendEvents,
  sendHttp,
  type CommandSent,
  type EventSent,
  type HttpSent,
} from './support/fuzz/send';
import {
  backlogs,
  consumersOf,
  eventConsumers,
  readDeadLetters,
  waitForDrained,
  type DeadLetter,
  type EventConsumer,
} from './support/fuzz/streams';
import { waitForTrackerDrained } from '../support/tracker';
import { adminConnectOptions, allHealthy, scrape, total, writeChaosFigures } from './support/fuzz/system-probes';

const rng = Rng.fromEnv();
let system: FlowscopeSystem;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let pids: Record<string, number | undefined>;
let consumers: EventConsumer[];
let plan: FuzzPlan;
let events: EventSent[];
let commands: CommandSent[];
let http: HttpSent[];
let deadLetters: DeadLetter[];
const referenceOrder = `fuzz-ref-${rng.seed}`;

/** Dead letters each event message must produce: one per consumer of its subject, or per named service. */
function expectedDeadLetters(sent: EventSent): { service: string; code: string }[] {
  const e = sent.case.expect;
  if ('refused' in e) return consumersOf(consumers, sent.case.subject).map((service) => ({ service, code: e.refused }));
  if ('maxDeliveries' in e) return e.maxDeliveries.map((service) => ({ service, code: 'MAX_DELIVERIES' }));
  return [];
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort());
}

const startedAt = Date.now();
/** Progress on stderr, so a run that times out says how far it got. */
function step(what: string): void {
  process.stderr.write(`[fuzz +${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${what}\n`);
}

beforeAll(async () => {
  step(`seed ${rng.seed} (replay with CHAOS_SEED=${rng.seed})`);
  system = await startSystem({ tracing: false, appEnv: { LOG_LEVEL: 'warn' }, logDir: process.env.CHAOS_LOG_DIR });
  nc = await connect(adminConnectOptions(system, 'chaos-fuzz'));
  js = nc.jetstream();
  jsm = await nc.jetstreamManager();
  pids = Object.fromEntries([...system.apps].map(([name, app]) => [name, app.process?.pid]));

  // A completed order whose events the fuzz sends again, as copies.
  await placeOrder(system, {
    orderId: referenceOrder,
    customerId: 'c-ref',
    items: [{ sku: 'REF-1', qty: 1, unitPrice: 4 }],
    style: 'choreography',
  });
  expect(await waitForOutcome(system, referenceOrder)).toMatchObject({ status: 'completed' });
  await waitForQuiet(jsm);
  const reference = (await streamMessages(jsm, 'EVENTS')).filter((m) =>
    Buffer.from(m.data).toString().includes(referenceOrder),
  );
  consumers = await eventConsumers(jsm);

  step('reference order completed; generating');
  plan = generateFuzz(
    rng,
    reference.map((m) => ({ subject: m.subject, body: m.data, msgId: m.headers?.get('Nats-Msg-Id') ?? '' })),
  );
  step(
    `sending ${plan.events.length} events, ${plan.commands.length} commands, ${plan.http.length + plan.httpDuplicates.length} requests`,
  );
  [events, commands, http] = await Promise.all([
    sendEvents(js, plan.events),
    sendCommands(nc, plan.commands),
    sendHttp(system.app('orders').url, plan.http),
  ]);
  http.push(...(await sendHttp(system.app('orders').url, plan.httpDuplicates, 1)));

  step('sent; waiting for the dead letters');
  const expected = events.reduce(
    (n, sent) => n + (sent.seq !== undefined && !sent.duplicate ? expectedDeadLetters(sent).length : 0),
    0,
  );
  let stored = 0;
  await waitFor(
    async () => ((stored = (await jsm.streams.info(DLQ_STREAM)).state.messages) >= expected ? true : undefined),
    {
      timeoutMs: 240_000,
      intervalMs: 1000,
      what: `${expected} dead letters`,
    },
  ).catch((error: unknown) => {
    throw new Error(
      `${String(error)}: ${stored} stored; consumers: ${JSON.stringify(consumers.map((c) => c.durable))}`,
    );
  });
  step(`${expected} dead letters stored; waiting for every consumer to drain`);
  await waitForDrained(jsm, 120_000);
  // The tracker has no durable: it has drained once every partition's checkpoint covers the stream.
  await waitForTrackerDrained(system.app('process-tracker'), jsm, 120_000);
  deadLetters = await readDeadLetters(jsm);
  step(`read ${deadLetters.length} dead letters`);
}, 420_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
}, 60_000);

describe('bad-input fuzz', () => {
  it('sends over 10,000 messages: every kind on every event subject, every command subject, and the orders API', () => {
    expect(events.length + commands.length + http.length).toBeGreaterThanOrEqual(10_000);
    for (const type of eventTypes)
      expect({ type, sent: events.some((e) => e.case.subject === type && 'refused' in e.case.expect) }).toEqual({
        type,
        sent: true,
      });
    for (const subject of commandSubjects)
      expect({ subject, sent: commands.some((c) => c.case.subject === subject) }).toEqual({ subject, sent: true });
    expect(events.filter((e) => e.error)).toEqual([]);
  });

  it('no app crashed: every process is the one started, still running, and answers /health', async () => {
    expect(Object.fromEntries([...system.apps].map(([name, app]) => [name, app.process?.pid]))).toEqual(pids);
    const health = await allHealthy(system);
    expect(health).toEqual(Object.fromEntries([...system.apps.keys()].map((name) => [name, 'running, /health 200'])));
  });

  it('every refused event is dead-lettered once by each consumer of its subject, with its reason code, at its first delivery', () => {
    const bySeq = new Map<number, DeadLetter[]>();
    for (const d of deadLetters) bySeq.set(d.originalSequence, [...(bySeq.get(d.originalSequence) ?? []), d]);
    const wrong = events.flatMap((sent) => {
      const want = sent.duplicate
        ? []
        : expectedDeadLetters(sent)
            .map((d) => `${d.service} ${d.code}`)
            .sort();
      const got = (bySeq.get(sent.seq!) ?? []).map((d) => `${d.service} ${d.code}`).sort();
      return JSON.stringify(want) === JSON.stringify(got)
        ? []
        : [{ kind: sent.case.kind, subject: sent.case.subject, seq: sent.seq, want, got }];
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    const contract = deadLetters.filter((d) => d.code !== 'MAX_DELIVERIES');
    expect(countBy(contract, (d) => `deliveries ${d.deliveries}`)).toEqual({ 'deliveries 1': contract.length });
    expect(deadLetters.length).toBe(events.reduce((n, e) => n + (e.duplicate ? 0 : expectedDeadLetters(e).length), 0));
  });

  it('dead letters and counters agree, per service and reason', async () => {
    const fromStream = countBy(deadLetters, (d) => `${d.service} ${d.code}`);
    const fromMetrics: Record<string, number> = {};
    for (const [name] of system.apps) {
      const samples = await scrape(system, name);
      for (const s of samples.filter((x) => x.name === 'flowscope_dead_letters_total' && x.value > 0)) {
        const key = `${s.labels.service} ${s.labels.code}`;
        fromMetrics[key] = (fromMetrics[key] ?? 0) + s.value;
      }
      if (name === 'process-tracker') {
        const rejected = countBy(
          deadLetters.filter((d) => d.service === 'process-tracker'),
          (d) => d.code,
        );
        const counted = Object.fromEntries(
          samples
            .filter((x) => x.name === 'flowscope_tracker_rejected_total' && x.value > 0)
            .map((x) => [x.labels.reason, x.value]),
        );
        expect(counted).toEqual(rejected);
      }
    }
    expect(Object.fromEntries(Object.entries(fromMetrics).sort())).toEqual(fromStream);
  });

  it('nothing is redelivered forever: handler failures stop at MAX_DELIVER, and every consumer is drained', async () => {
    const orphans = deadLetters.filter((d) => d.code === 'MAX_DELIVERIES');
    expect(orphans.length).toBe(plan.orphans);
    for (const d of orphans)
      expect(d.deliveries).toBe(
        consumers.find((c) => c.service === d.service && c.filters.includes(d.subject))!.maxDeliver - 1,
      );
    const state = await backlogs(jsm);
    expect(state).toEqual(state.map((c) => ({ durable: c.durable, pending: 0, unacked: 0, redelivered: 0 })));
  });

  it('copies of handled events change nothing: JetStream drops same-id copies, consumers and the tracker count the others as duplicates', async () => {
    const sameId = events.filter((e) => e.case.kind === 'duplicate-msg-id');
    expect(sameId.length).toBeGreaterThan(0);
    expect(sameId.filter((e) => !e.duplicate)).toEqual([]);
    const newId = events.filter((e) => e.case.kind === 'duplicate-event-id');
    expect(newId.filter((e) => e.duplicate)).toEqual([]);
    const flow = await httpJson<{ status: string; duplicates: number }>(
      `${system.app('process-tracker').url}/flows/order-fulfillment/${referenceOrder}`,
    );
    expect(flow.body).toMatchObject({ status: 'completed', duplicates: newId.length });
    expect(await waitForOutcome(system, referenceOrder)).toMatchObject({ status: 'completed' });
  });

  it('every bad command gets an INVALID_COMMAND reply at once, counted by the service that owns the subject', async () => {
    expect(
      countBy(commands, (c) => (c.error ? `error ${c.error}` : `ok=${String(c.reply?.ok)} ${String(c.reply?.code)}`)),
    ).toEqual({ 'ok=false INVALID_COMMAND': commands.length });
    for (const service of new Set(commands.map((c) => ownerOf(c.case.subject)))) {
      const sent = commands.filter((c) => ownerOf(c.case.subject) === service).length;
      const counted = total(await scrape(system, service as 'payments'), 'flowscope_commands_handled_total', {
        outcome: 'INVALID_COMMAND',
      });
      expect({ service, counted }).toEqual({ service, counted: sent });
    }
    expect(new Set(commands.map((c) => c.case.kind))).toEqual(new Set(COMMAND_KINDS));
  });

  it('the orders API answers every bad request with a 4xx JSON body, places the unicode-heavy valid orders, and refuses a second placement', async () => {
    const wanted = { refused: /^4\d\d$/, created: /^201$/, conflict: /^409$/ };
    const wrong = http.filter(
      (h) =>
        h.error ||
        !wanted[h.case.expect].test(String(h.status)) ||
        !/^application\/json/.test(h.contentType ?? '') ||
        typeof h.body !== 'object',
    );
    expect(
      wrong.slice(0, 10).map((h) => ({
        kind: h.case.kind,
        request: `${h.case.method} ${h.case.path.slice(0, 80)} ${JSON.stringify(h.case.headers)}`,
        status: h.status,
        contentType: h.contentType,
        body: String(JSON.stringify(h.body) ?? h.error).slice(0, 200),
      })),
    ).toEqual([]);
    const created = http.filter((h) => h.case.expect === 'created').map((h) => (h.body as { orderId: string }).orderId);
    const ended = await pool(created, 8, (id) => waitForOutcome(system, id, 60_000));
    expect(countBy(ended, (o) => o.status)).toEqual({ completed: created.length });
  });

  it('after the fuzz, a valid order placed over HTTP and a bare one over NATS still complete', async () => {
    const viaHttp = await placeOrder(system, {
      customerId: 'c-after',
      items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 9 }],
    });
    const viaNats = `fuzz-after-${rng.seed}`;
    await js.publish(
      'order.placed',
      JSON.stringify({
        orderId: viaNats,
        customerId: 'c-after',
        items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 9 }],
        total: 9,
        currency: 'EUR',
      }),
    );
    expect(await waitForOutcome(system, viaHttp)).toMatchObject({ status: 'completed' });
    expect(await waitForOutcome(system, viaNats)).toMatchObject({ status: 'completed' });

    const figures = {
      seed: rng.seed,
      sent: {
        events: events.length,
        commands: commands.length,
        http: http.length,
        total: events.length + commands.length + http.length,
      },
      eventsByKind: countBy(events, (e) => `${e.case.kind} (${e.case.envelope})`),
      commandsByKind: countBy(commands, (c) => c.case.kind),
      httpByKind: countBy(http, (h) => h.case.kind),
      httpStatuses: countBy(http, (h) => String(h.status ?? h.error)),
      deadLettersByServiceAndReason: countBy(deadLetters, (d) => `${d.service} ${d.code}`),
      deadLettersByReason: countBy(deadLetters, (d) => d.code),
    };
    writeChaosFigures('fuzz', figures);
    console.log(`bad-input fuzz: ${JSON.stringify(figures, null, 2)}`);
  }, 120_000);
});
