import type { JetStreamClient, KV, KvOptions } from 'nats';
import { jetStreamReplicas } from './replicas';

/** A KV value with the revision to update it against. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

const MAX_CAS_ATTEMPTS = 20;

/** JSON values in a JetStream KV bucket, with optimistic-concurrency updates. */
export class JsonKv<T> {
  private constructor(private readonly kv: KV) {}

  static async open<T>(js: JetStreamClient, bucket: string, options: Partial<KvOptions> = {}): Promise<JsonKv<T>> {
    return new JsonKv<T>(await js.views.kv(bucket, { history: 1, replicas: jetStreamReplicas(), ...options }));
  }

  async get(key: string): Promise<Versioned<T> | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return { value: entry.json<T>(), revision: entry.revision };
  }

  /** Every key in the bucket (a scan: for start-up recovery, not for hot paths). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys()) out.push(key);
    return out;
  }

  async put(key: string, value: T): Promise<number> {
    return this.kv.put(key, JSON.stringify(value));
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
      await this.kv.create(key, JSON.stringify(value));
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
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      const next = change(current?.value);
      if (next === undefined) return current?.value;
      try {
        if (current) await this.kv.update(key, JSON.stringify(next), current.revision);
        else await this.kv.create(key, JSON.stringify(next));
        return next;
      } catch (error) {
        if (attempt >= MAX_CAS_ATTEMPTS || !isRevisionConflict(error)) throw error;
      }
    }
  }
}

/** A KV write lost to another writer (wrong last sequence / key exists): re-read and retry. */
export function isRevisionConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : '';
  return /wrong last sequence|key exists|10071/i.test(text);
}
