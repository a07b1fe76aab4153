import type { JetStreamClient, KV, KvOptions } from 'nats';
import { jetStreamReplicas } from './replicas';

/** A KV value with the revision to update it against. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

const MAX_CAS_ATTEMPTS = 20;

/** How a JsonKv works beside the bucket's own options. */
export interface JsonKvOptions {
  /**
   * Remember the value and revision of this many keys last read or written here (0: none), so that
   * `update` of a key this process wrote last writes against that revision without reading it first.
   * Another writer in between makes that write fail, and the update reads and retries as usual.
   */
  recentKeys?: number;
}

/** JSON values in a JetStream KV bucket, with optimistic-concurrency updates. */
export class JsonKv<T> {
  private readonly recent = new Map<string, Versioned<T>>();

  private constructor(
    private readonly kv: KV,
    private readonly recentKeys: number,
  ) {}

  static async open<T>(
    js: JetStreamClient,
    bucket: string,
    options: Partial<KvOptions> = {},
    own: JsonKvOptions = {},
  ): Promise<JsonKv<T>> {
    const kv = await js.views.kv(bucket, { history: 1, replicas: jetStreamReplicas(), ...options });
    return new JsonKv<T>(kv, own.recentKeys ?? 0);
  }

  async get(key: string): Promise<Versioned<T> | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return this.remember(key, { value: entry.json<T>(), revision: entry.revision });
  }

  /**
   * The value this process last read or wrote for `key` (with `recentKeys`), else a read. Only for a
   * decision that a write against the same revision confirms: another writer in between makes that
   * write fail, and `update` reads again.
   */
  async getRecent(key: string): Promise<Versioned<T> | undefined> {
    return this.recent.get(key) ?? this.get(key);
  }

  /** Every key in the bucket (a scan: for start-up recovery, not for hot paths). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys()) out.push(key);
    return out;
  }

  async put(key: string, value: T): Promise<number> {
    return this.remember(key, { value, revision: await this.kv.put(key, JSON.stringify(value)) }).revision;
  }

  /**
   * Stores `value` unless the key holds one already; returns whichever is stored (first wins).
   * Create first: one write when the key is new (the usual case), a read only when it is not.
   */
  async putIfAbsent(key: string, value: T): Promise<T> {
    if (await this.tryCreate(key, value)) return value;
    return (await this.update(key, (current) => (current === undefined ? value : undefined))) ?? value;
  }

  /** Whether `value` became the key's first value (false: the key holds one already). */
  async tryCreate(key: string, value: T): Promise<boolean> {
    try {
      this.remember(key, { value, revision: await this.kv.create(key, JSON.stringify(value)) });
      return true;
    } catch (error) {
      if (isRevisionConflict(error)) return false;
      throw error;
    }
  }

  /**
   * `update` for a key that is usually new (the first event of an order): tries to create it with
   * `change(undefined)` and reads only when it exists already.
   */
  async createOrUpdate(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const fresh = change(undefined);
    if (fresh !== undefined && (await this.tryCreate(key, fresh))) return fresh;
    return this.update(key, change);
  }

  /**
   * Reads, changes and writes `key` against the revision it read, retrying when another writer got
   * there first, so concurrent handlers never lose an update. `change` returning undefined leaves it.
   */
  async update(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    if (await this.updateRemembered(key, change)) return this.recent.get(key)!.value;
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      const next = change(current?.value);
      if (next === undefined) return current?.value;
      try {
        const revision = current
          ? await this.kv.update(key, JSON.stringify(next), current.revision)
          : await this.kv.create(key, JSON.stringify(next));
        return this.remember(key, { value: next, revision }).value;
      } catch (error) {
        if (attempt >= MAX_CAS_ATTEMPTS || !isRevisionConflict(error)) throw error;
      }
    }
  }

  /**
   * The write of `update` against the remembered revision, with no read: whether it took. A change
   * that does nothing to the remembered value is not trusted (the value may have moved on since):
   * the usual read decides it.
   */
  private async updateRemembered(key: string, change: (current: T | undefined) => T | undefined): Promise<boolean> {
    const known = this.recent.get(key);
    const next = known && change(known.value);
    if (!known || next === undefined) return false;
    try {
      this.remember(key, { value: next, revision: await this.kv.update(key, JSON.stringify(next), known.revision) });
      return true;
    } catch (error) {
      if (!isRevisionConflict(error)) throw error;
      this.recent.delete(key);
      return false;
    }
  }

  /** Keeps the key's latest known value and revision, dropping the oldest key beyond `recentKeys`. */
  private remember(key: string, versioned: Versioned<T>): Versioned<T> {
    if (this.recentKeys === 0) return versioned;
    this.recent.delete(key); // re-inserted last: the Map's order is the keys' age
    this.recent.set(key, versioned);
    if (this.recent.size > this.recentKeys) this.recent.delete(this.recent.keys().next().value!);
    return versioned;
  }
}

/** A KV write lost to another writer (wrong last sequence / key exists): re-read and retry. */
export function isRevisionConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : '';
  return /wrong last sequence|key exists|10071/i.test(text);
}
