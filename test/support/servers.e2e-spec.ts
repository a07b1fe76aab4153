// Proves the test support library against the real binaries: nats-server, the NATS CLI, Jaeger v2.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { findTraces, getServices, links, parentSpanId, spanKind, spansOf, tag, waitForTrace } from './jaeger-api';
import { getTraceOtlp, otlpAttr, otlpSpanKind } from './jaeger-otlp-api';
import { startJaeger, type JaegerHandle } from '../../deploy/launch/jaeger';
import { natsCli, natsPub, natsReq } from './nats-cli';
import { startNatsServer, type NatsServerHandle } from '../../deploy/launch/nats-server';
import { isPortFree } from '../../deploy/launch/ports';
import { httpJson, waitFor, WaitTimeoutError } from '../../deploy/launch/probe';
import { ManagedProcess, runningProcesses, stopAll } from '../../deploy/launch/processes';

const TIMEOUT = 60_000;
const sc = StringCodec();
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

afterAll(() => stopAll(), TIMEOUT);

describe('a real nats-server per test file', () => {
  let nats: NatsServerHandle;
  const connections: NatsConnection[] = [];
  const client = async (): Promise<NatsConnection> => {
    const nc = await connect({ servers: nats.url, name: 'support-spec' });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await nats?.stop();
  }, TIMEOUT);

  it(
    'listens on 127.0.0.1 only, and the NATS CLI sees JetStream enabled',
    async () => {
      expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
      const varz = await httpJson<{ host: string; port: number; http_host: string }>(`${nats.monitorUrl}/varz`);
      expect(varz.body).toMatchObject({ host: '127.0.0.1', port: nats.port, http_host: '127.0.0.1' });

      const check = await natsCli(['server', 'check', 'jetstream'], { server: nats.url });
      expect(check.stdout).toContain('OK JetStream');
      expect(check.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'delivers what `nats pub` publishes to a nats.js subscriber, header names kept exactly',
    async () => {
      const nc = await client();
      const sub = nc.subscribe('support.greeting', { max: 1, timeout: 10_000 });
      await nc.flush(); // the subscription is registered on the server before the CLI publishes
      const traceparent = `00-${hex(16)}-${hex(8)}-01`;

      await natsPub(nats.url, 'support.greeting', '{"hello":"world"}', { traceparent });

      for await (const msg of sub) {
        expect(msg.json()).toEqual({ hello: 'world' });
        expect(msg.headers?.get('traceparent')).toBe(traceparent);
      }
      expect(sub.getProcessed()).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'returns the reply of a nats.js responder to `nats request`',
    async () => {
      const nc = await client();
      nc.subscribe('support.echo', { callback: (_err, msg) => msg.respond(sc.encode(`echo:${sc.decode(msg.data)}`)) });
      await nc.flush();

      await expect(natsReq(nats.url, 'support.echo', '{"n":1}')).resolves.toBe('echo:{"n":1}');
      await expect(natsReq(nats.url, 'support.nobody', '{}')).rejects.toThrow('no responders');
    },
    TIMEOUT,
  );

  it(
    'keeps a file-backed stream across restart() on the same port and store',
    async () => {
      const created = await natsCli(
        ['stream', 'add', 'SUPPORT', '--subjects', 'support.durable.>', '--storage', 'file', '--defaults'],
        {
          server: nats.url,
        },
      );
      expect(created.code).toBe(0);
      const js = (await client()).jetstream();
      for (const n of [1, 2, 3]) await js.publish('support.durable.item', sc.encode(`item-${n}`));
      const { port, storeDir } = nats;

      await nats.restart();

      expect({ port: nats.port, storeDir: nats.storeDir }).toEqual({ port, storeDir });
      const jsm = await (await client()).jetstreamManager();
      expect((await jsm.streams.info('SUPPORT')).state.messages).toBe(3);
      expect(sc.decode((await jsm.streams.getMessage('SUPPORT', { seq: 3 })).data)).toBe('item-3');
    },
    TIMEOUT,
  );

  it(
    'recovers acknowledged messages after kill9() and restart(), as after a crash',
    async () => {
      const js = (await client()).jetstream();
      const ack = await js.publish('support.durable.item', sc.encode('before-crash'));

      await nats.kill9();
      expect(nats.process.exitInfo?.signal).toBe('SIGKILL');
      await nats.restart();

      const jsm = await (await client()).jetstreamManager();
      expect(sc.decode((await jsm.streams.getMessage('SUPPORT', { seq: ack.seq })).data)).toBe('before-crash');
    },
    TIMEOUT,
  );

  it(
    'stop() releases both ports and removes the temporary store',
    async () => {
      await Promise.all(connections.splice(0).map((nc) => nc.close()));
      const { port, httpPort, storeDir } = nats;

      await nats.stop();

      expect(nats.process.running).toBe(false);
      expect(await isPortFree(port)).toBe(true);
      expect(await isPortFree(httpPort)).toBe(true);
      expect(existsSync(storeDir)).toBe(false);
    },
    TIMEOUT,
  );
});

describe('Jaeger v2 on free ports', () => {
  let jaeger: JaegerHandle;
  const runId = hex(4);

  beforeAll(async () => {
    jaeger = await startJaeger();
  }, TIMEOUT);

  afterAll(() => jaeger?.stop(), TIMEOUT);

  function otlpSpan(traceId: string, spanId: string, extra: Record<string, unknown>): Record<string, unknown> {
    const now = BigInt(Date.now()) * 1_000_000n;
    return {
      traceId,
      spanId,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 2_000_000n),
      attributes: [{ key: 'support.run', value: { stringValue: runId } }],
      ...extra,
    };
  }

  async function exportSpans(spans: Record<string, unknown>[]): Promise<void> {
    const payload = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-test' } }] },
          scopeSpans: [{ scope: { name: 'support-spec' }, spans }],
        },
      ],
    };
    const res = await httpJson(`${jaeger.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(200);
  }

  it(
    'stores a span exported over OTLP/HTTP and returns it with its service and its link',
    async () => {
      const [traceId, spanId, linkedTrace, linkedSpan] = [hex(16), hex(8), hex(16), hex(8)];
      const link = {
        traceId: linkedTrace,
        spanId: linkedSpan,
        attributes: [{ key: 'why', value: { stringValue: 'batch' } }],
      };
      await exportSpans([otlpSpan(traceId, spanId, { name: 'send support.subject', kind: 4, links: [link] })]);

      const trace = await waitForTrace(jaeger.queryUrl, traceId, (t) => t.spans.length === 1);

      const [span] = spansOf(trace);
      expect(span).toMatchObject({
        spanID: spanId,
        operationName: 'send support.subject',
        serviceName: 'support-test',
      });
      expect(spanKind(span)).toBe('producer');
      expect(tag(span, 'support.run')).toBe(runId);
      expect(parentSpanId(span)).toBeUndefined();
      expect(links(span)).toEqual([{ refType: 'FOLLOWS_FROM', traceID: linkedTrace, spanID: linkedSpan }]);
      const found = await findTraces(jaeger.queryUrl, { service: 'support-test', tags: { 'support.run': runId } });
      expect(found.map((t) => t.traceID)).toContain(traceId);
      // Self-tracing is off: Jaeger's own query calls do not show up as a `jaeger` service.
      expect(await getServices(jaeger.queryUrl)).toEqual(['support-test']);
    },
    TIMEOUT,
  );

  it(
    'keeps parent and link apart only in API v3 when a span links to its own parent',
    async () => {
      const [traceId, producerId, consumerId] = [hex(16), hex(8), hex(8)];
      await exportSpans([
        otlpSpan(traceId, producerId, { name: 'send order.placed', kind: 4 }),
        otlpSpan(traceId, consumerId, {
          name: 'process order.placed',
          kind: 5,
          parentSpanId: producerId,
          links: [{ traceId, spanId: producerId, attributes: [{ key: 'k', value: { stringValue: 'v' } }] }],
        }),
      ]);

      const trace = await waitForTrace(jaeger.queryUrl, traceId, (t) => t.spans.length === 2);
      const consumer = spansOf(trace).find((s) => s.spanID === consumerId);
      // v1 JSON: the parent reference and the link merge into ONE FOLLOWS_FROM reference.
      expect(consumer?.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: producerId }]);
      expect(parentSpanId(consumer!)).toBeUndefined();

      const spans = await getTraceOtlp(jaeger.queryUrl, traceId);
      const otlpConsumer = spans?.find((s) => s.spanId === consumerId);
      expect(otlpConsumer).toMatchObject({
        parentSpanId: producerId,
        serviceName: 'support-test',
        scopeName: 'support-spec',
      });
      expect(otlpConsumer?.links).toEqual([
        { traceId, spanId: producerId, attributes: [{ key: 'k', value: { stringValue: 'v' } }] },
      ]);
      expect(otlpSpanKind(otlpConsumer!)).toBe('consumer');
      expect(otlpAttr(otlpConsumer!, 'support.run')).toBe(runId);
    },
    TIMEOUT,
  );

  it(
    'stop() releases every port it listened on',
    async () => {
      await jaeger.stop();

      expect(jaeger.process.running).toBe(false);
      for (const port of jaeger.ports) expect(await isPortFree(port)).toBe(true);
    },
    TIMEOUT,
  );
});

describe('ManagedProcess and waitFor', () => {
  it(
    'escalates to SIGKILL when a process ignores SIGTERM, and keeps its output',
    async () => {
      const script =
        "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000);";
      const proc = ManagedProcess.spawn(process.execPath, ['-e', script], { name: 'stubborn' });
      await waitFor(() => proc.logs().includes('\nready'), {
        timeoutMs: 10_000,
        what: 'the stubborn process to be ready',
      });

      const exit = await proc.stop('SIGTERM', 500);

      expect(exit.signal).toBe('SIGKILL');
      expect(proc.logs()).toContain('ignoring SIGTERM');
      expect(runningProcesses()).not.toContain(proc);
    },
    TIMEOUT,
  );

  it(
    'names what it waited for and the last probe error when it times out',
    async () => {
      const waiting = waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 300, intervalMs: 50, what: 'the impossible' },
      );

      await expect(waiting).rejects.toThrow(WaitTimeoutError);
      await expect(waiting).rejects.toThrow(/waiting for the impossible; last probe error: Error: connection refused/);
    },
    TIMEOUT,
  );
});
