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
async function sharedBucket<T>(bucket: string, recentKeys = 0): Promise<[JsonKv<T>, JsonKv<T>]> {
  return Promise.all([
    JsonKv.open<T>(replicaA.js, bucket, {}, { recentKeys }),
    JsonKv.open<T>(replicaB.js, bucket, {}, { recentKeys }),
  ]);
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

  describe('remembering the revisions of recent keys', () => {
    const add = (n: number) => (current: number[] | undefined) => [...(current ?? []), n];

    it('an update of a key this replica wrote last writes without reading it first', async () => {
      const reads: string[] = [];
      const real = await replicaA.js.views.kv('kv-recent-no-read', { history: 1 });
      const counting = new Proxy(real, {
        get: (target, prop, receiver) =>
          prop === 'get'
            ? (key: string) => {
                reads.push(key);
                return target.get(key);
              }
            : (Reflect.get(target, prop, receiver) as unknown),
      });
      const js = { views: { kv: () => Promise.resolve(counting) } } as unknown as typeof replicaA.js;
      const kv = await JsonKv.open<number[]>(js, 'kv-recent-no-read', {}, { recentKeys: 10 });
      await kv.createOrUpdate('k', add(1));
      await kv.update('k', add(2));
      await kv.update('k', add(3));
      expect(reads).toEqual([]);
      expect((await kv.get('k'))?.value).toEqual([1, 2, 3]);
      const [, b] = await sharedBucket<number[]>('kv-recent-no-read');
      await b.update('k', add(4)); // another writer: our remembered revision is stale now
      await expect(kv.update('k', add(5))).resolves.toEqual([1, 2, 3, 4, 5]);
      expect(reads).toEqual(['k', 'k']); // ours above, then the one after the failed write
    });

    it('an update after another replica wrote the key in between loses neither write', async () => {
      const [a, b] = await sharedBucket<number[]>('kv-recent-interleaved', 100);
      await a.createOrUpdate('k', add(1));
      await b.update('k', add(2));
      await expect(a.update('k', add(3))).resolves.toEqual([1, 2, 3]);
      await expect(b.update('k', add(4))).resolves.toEqual([1, 2, 3, 4]);
      expect((await a.get('k'))?.value).toEqual([1, 2, 3, 4]);
    });

    it('20 concurrent increments from two replicas lose no update', async () => {
      const [a, b] = await sharedBucket<number>('kv-recent-counter', 100);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).update('n', (n) => (n ?? 0) + 1)));
      expect((await b.get('n'))?.value).toBe(20);
    });

    it('a change that does nothing to the remembered value is decided on the stored one', async () => {
      const [a, b] = await sharedBucket<number[]>('kv-recent-noop', 100);
      await a.createOrUpdate('k', add(1));
      await b.update('k', add(2));
      // a remembers [1]: "add 2 unless there" changes that, and must find 2 stored already
      const addOnce = (n: number) => (current: number[] | undefined) =>
        current?.includes(n) ? undefined : [...(current ?? []), n];
      await expect(a.update('k', addOnce(1))).resolves.toEqual([1, 2]);
      await expect(a.update('k', addOnce(2))).resolves.toEqual([1, 2]);
      expect((await a.get('k'))?.value).toEqual([1, 2]);
    });

    it('a key deleted since it was remembered is created again', async () => {
      const [a] = await sharedBucket<number[]>('kv-recent-deleted', 100);
      await a.createOrUpdate('k', add(1));
      await (await replicaB.js.views.kv('kv-recent-deleted')).delete('k');
      await expect(a.update('k', add(2))).resolves.toEqual([2]);
    });

    it('getRecent gives what this replica wrote last without a read; a write against it after another writer reads again', async () => {
      const [a, b] = await sharedBucket<number[]>('kv-recent-get', 100);
      await a.createOrUpdate('k', add(1));
      await b.update('k', add(2)); // a does not know
      expect((await a.getRecent('k'))?.value).toEqual([1]);
      // the decision taken on [1] is written against its revision: refused, read again, folded into [1, 2]
      await expect(a.update('k', add(3))).resolves.toEqual([1, 2, 3]);
      expect((await a.getRecent('k'))?.value).toEqual([1, 2, 3]);
      // a key it never saw is read
      await b.createOrUpdate('other', add(9));
      expect((await a.getRecent('other'))?.value).toEqual([9]);
      expect(await a.getRecent('missing')).toBeUndefined();
    });

    it('keeps at most recentKeys keys, and forgotten ones still update correctly', async () => {
      const [a, b] = await sharedBucket<number[]>('kv-recent-bounded', 2);
      for (const key of ['k1', 'k2', 'k3']) await a.createOrUpdate(key, add(1));
      await b.update('k1', add(2));
      await expect(a.update('k1', add(3))).resolves.toEqual([1, 2, 3]);
    });
  });
});
