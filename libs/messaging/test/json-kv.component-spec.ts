import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { JsonKv, NatsClient } from '../src';

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let replicaA: NatsClient;
let replicaB: NatsClient;

beforeAll(async () => {
  server = await startNatsServer();
  [replicaA, replicaB] = await Promise.all([NatsClient.connect(server.url, 'a'), NatsClient.connect(server.url, 'b')]);
});

afterAll(async () => {
  await Promise.all([replicaA?.drain(), replicaB?.drain()]);
  await server?.stop();
});

/** The same bucket opened by two replicas, each on its own connection. */
async function sharedBucket<T>(bucket: string): Promise<[JsonKv<T>, JsonKv<T>]> {
  return Promise.all([JsonKv.open<T>(replicaA.js, bucket), JsonKv.open<T>(replicaB.js, bucket)]);
}

describe('JsonKv', () => {
  it('a missing key reads as undefined', async () => {
    const [kv] = await sharedBucket<number>('kv-missing');
    await expect(kv.get('nothing-here')).resolves.toBeUndefined();
  });

  it('put then get gives the value back with its revision', async () => {
    const [a, b] = await sharedBucket<{ n: number }>('kv-put');
    const revision = await a.put('k', { n: 1 });
    await expect(b.get('k')).resolves.toEqual({ value: { n: 1 }, revision });
  });

  it('20 concurrent increments from two replicas lose no update', async () => {
    const [a, b] = await sharedBucket<number>('kv-counter');
    const increment = (kv: JsonKv<number>) => kv.update('count', (n) => (n ?? 0) + 1);
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? a : b)));
    expect((await a.get('count'))?.value).toBe(20);
  });

  it('concurrent updates of a list keep every entry', async () => {
    const [a, b] = await sharedBucket<string[]>('kv-list');
    const add = (kv: JsonKv<string[]>, item: string) => kv.update('seen', (list = []) => [...list, item]);
    const items = Array.from({ length: 10 }, (_, i) => `e-${i}`);
    await Promise.all(items.map((item, i) => add(i % 2 === 0 ? a : b, item)));
    expect((await b.get('seen'))?.value.sort()).toEqual([...items].sort());
  });

  it('an update that returns undefined leaves the value as it is', async () => {
    const [a] = await sharedBucket<number>('kv-unchanged');
    const revision = await a.put('k', 5);
    await expect(a.update('k', () => undefined)).resolves.toBe(5);
    await expect(a.get('k')).resolves.toEqual({ value: 5, revision });
  });

  it('putIfAbsent keeps the first value and returns it to later callers', async () => {
    const [a, b] = await sharedBucket<string>('kv-first');
    await expect(a.putIfAbsent('k', 'first')).resolves.toBe('first');
    await expect(b.putIfAbsent('k', 'second')).resolves.toBe('first');
    expect((await a.get('k'))?.value).toBe('first');
  });

  it('putIfAbsent racing from two replicas: one value wins and both see that one', async () => {
    const [a, b] = await sharedBucket<string>('kv-race');
    const results = await Promise.all([a.putIfAbsent('k', 'from-a'), b.putIfAbsent('k', 'from-b')]);
    const stored = (await a.get('k'))?.value;
    expect(['from-a', 'from-b']).toContain(stored);
    expect(results).toEqual([stored, stored]);
  });

  it('a deleted key can be created again', async () => {
    const [a] = await sharedBucket<string>('kv-deleted');
    await a.put('k', 'old');
    const raw = await replicaA.js.views.kv('kv-deleted');
    await raw.delete('k');
    await expect(a.get('k')).resolves.toBeUndefined();
    await expect(a.putIfAbsent('k', 'new')).resolves.toBe('new');
  });

  it('tryCreate is true for the first caller of two racing replicas and false for the other', async () => {
    const [a, b] = await sharedBucket<string>('kv-claim');
    const won = await Promise.all([a.tryCreate('k', 'a'), b.tryCreate('k', 'b')]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await a.get('k'))?.value).toBe(won[0] ? 'a' : 'b');
  });

  it('createOrUpdate creates a new key, and folds into an existing one from two replicas without loss', async () => {
    const [a, b] = await sharedBucket<number[]>('kv-fold');
    const add = (n: number) => (current: number[] | undefined) => [...(current ?? []), n];
    await expect(a.createOrUpdate('k', add(1))).resolves.toEqual([1]);
    await Promise.all([a.createOrUpdate('k', add(2)), b.createOrUpdate('k', add(3))]);
    expect((await a.get('k'))?.value.sort()).toEqual([1, 2, 3]);
  });
});
