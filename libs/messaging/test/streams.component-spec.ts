import { DLQ_STREAM, DLQ_STREAM_SUBJECTS, EVENTS_STREAM, EVENTS_STREAM_SUBJECTS } from '@flowscope/contracts';
import { connect, ErrorCode, type NatsConnection } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { ensureStreams, NatsClient } from '../src';

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
const connections: NatsConnection[] = [];

async function connection(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url, name: 'streams-test' });
  connections.push(nc);
  return nc;
}

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await server?.stop();
});

describe('ensureStreams', () => {
  it('creates EVENTS for the domain event subjects and DLQ for dead letters', async () => {
    const jsm = await (await connection()).jetstreamManager();
    await ensureStreams(jsm);
    expect((await jsm.streams.info(EVENTS_STREAM)).config).toMatchObject({
      subjects: EVENTS_STREAM_SUBJECTS,
      duplicate_window: 5 * 60 * 1e9,
    });
    expect((await jsm.streams.info(DLQ_STREAM)).config.subjects).toEqual(DLQ_STREAM_SUBJECTS);
  });

  it('is idempotent: running it again keeps the streams and the events they hold', async () => {
    const nc = await connection();
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    const ack = await nc.jetstream().publish('order.placed', '{}');
    await ensureStreams(jsm);
    await ensureStreams(jsm);
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.state.last_seq).toBe(ack.seq);
    expect(info.state.messages).toBeGreaterThanOrEqual(1);
    expect((await jsm.streams.list().next()).map((s) => s.config.name).sort()).toEqual([DLQ_STREAM, EVENTS_STREAM]);
  });

  it('two services starting at once on an empty server both succeed, and again once the streams exist', async () => {
    const fresh = await startNatsServer();
    const ncs: NatsConnection[] = [];
    try {
      ncs.push(...(await Promise.all([connect({ servers: fresh.url }), connect({ servers: fresh.url })])));
      const [a, b] = await Promise.all(ncs.map((nc) => nc.jetstreamManager()));
      await Promise.all([ensureStreams(a), ensureStreams(b)]); // both may find no stream and add it
      await Promise.all([ensureStreams(a), ensureStreams(b)]); // both update in place
      const names = (await a.streams.list().next()).map((s) => s.config.name).sort();
      expect(names).toEqual([DLQ_STREAM, EVENTS_STREAM]);
      expect((await b.streams.info(EVENTS_STREAM)).config.subjects).toEqual(EVENTS_STREAM_SUBJECTS);
    } finally {
      await Promise.all(ncs.map((nc) => nc.close()));
      await fresh.stop();
    }
  });

  it('a service connecting while another one is connecting finds the streams ready', async () => {
    const clients = await Promise.all([NatsClient.connect(server.url, 'a'), NatsClient.connect(server.url, 'b')]);
    try {
      await expect(clients[1].jsm.streams.info(EVENTS_STREAM)).resolves.toBeDefined();
    } finally {
      await Promise.all(clients.map((c) => c.drain()));
    }
  });

  it('EVENTS does not capture commands: a request under cmd. with no responder gets no-responders, not a PubAck', async () => {
    const nc = await connection();
    await ensureStreams(await nc.jetstreamManager());
    await expect(nc.request('cmd.payment.authorize', '{"orderId":"o-1"}', { timeout: 2000 })).rejects.toMatchObject({
      code: ErrorCode.NoResponders,
    });
  });

  it('no stream at all listens on cmd.>', async () => {
    const jsm = await (await connection()).jetstreamManager();
    await ensureStreams(jsm);
    await expect(jsm.streams.find('cmd.stock.reserve')).rejects.toThrow(/no stream matches subject/i);
  });
});
