// Counts orders ending, as the system announces it: `order.completed` / `order.cancelled` seen on a
// core NATS subscription (JetStream stores them on the same subjects), once per order.
import type { NatsConnection, Subscription } from 'nats';

export class TerminalEvents {
  /** When each order of the prefix was first seen ending (ms since epoch). */
  private readonly endedAt = new Map<string, number>();

  private constructor(private readonly subs: Subscription[]) {}

  static async follow(nc: NatsConnection, idPrefix: string): Promise<TerminalEvents> {
    const subs: Subscription[] = [];
    const events = new TerminalEvents(subs);
    for (const subject of ['order.completed', 'order.cancelled']) {
      subs.push(nc.subscribe(subject, { callback: (error, msg) => error || events.seen(msg.data, idPrefix) }));
    }
    await nc.flush(); // the subscriptions are in place before any order is placed
    return events;
  }

  get count(): number {
    return this.endedAt.size;
  }

  /** Orders first seen ending in [from, until). */
  endedBetween(from: number, until: number): number {
    let n = 0;
    for (const at of this.endedAt.values()) if (at >= from && at < until) n++;
    return n;
  }

  stop(): void {
    this.subs.forEach((s) => s.unsubscribe());
  }

  private seen(data: Uint8Array, idPrefix: string): void {
    const orderId = orderIdOf(data);
    if (orderId?.startsWith(idPrefix) && !this.endedAt.has(orderId)) this.endedAt.set(orderId, Date.now());
  }
}

function orderIdOf(data: Uint8Array): string | undefined {
  try {
    const body = JSON.parse(Buffer.from(data).toString()) as { data?: { orderId?: unknown }; orderId?: unknown };
    const id = body.data?.orderId ?? body.orderId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
