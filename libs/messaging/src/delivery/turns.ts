import type { EventEnvelope } from '@flowscope/contracts';

/**
 * Step 3, dedupe within a process: copies of one event (the same orderId and type, e.g. re-published
 * under a new id) run one after the other, so the second finds the first one's outcome in the
 * handler's own record instead of racing it. Across processes the records' create-first writes and
 * JetStream's duplicate window decide; nothing is stored per delivery.
 */
export class Turns {
  private readonly last = new Map<string, Promise<void>>();

  static keyOf(event: EventEnvelope): string {
    return `${event.subject}.${event.type}`;
  }

  /** Runs fn once every earlier fn of the same key has settled; the map holds only keys in flight. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const mine = (this.last.get(key) ?? Promise.resolve()).then(fn);
    const done = mine.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, done);
    try {
      return await mine;
    } finally {
      if (this.last.get(key) === done) this.last.delete(key);
    }
  }

  /** Keys with a turn in flight (for tests and leak checks). */
  get size(): number {
    return this.last.size;
  }
}
