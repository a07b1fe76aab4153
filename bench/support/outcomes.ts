// Knowing when an order is done, from NATS: core subscriptions on the terminal events (and on
// customer.notified, the flow's last event). Cheaper and more precise than polling GET /orders/:id.
import { connect, type ConnectionOptions, type Msg, type NatsConnection, type Subscription } from 'nats';

export type Terminal = 'order.completed' | 'order.cancelled';

/** When an order ended, in `performance.now()` time. */
export interface Outcome {
  terminal: Terminal;
  at: number;
}

interface Watched {
  resolve: (outcome: Outcome) => void;
  ended?: Outcome;
  onNotified?: (at: number) => void;
}

/** One NATS connection that resolves a promise per order when its terminal event is published. */
export class OutcomeWatcher {
  private readonly watched = new Map<string, Watched>();
  private readonly subs: Subscription[];

  private constructor(private readonly nc: NatsConnection) {
    const on = (subject: string, handle: (m: Msg) => void) =>
      nc.subscribe(subject, { callback: (error, m) => error || handle(m) });
    this.subs = [
      on('order.completed', (m) => this.ended(m, 'order.completed')),
      on('order.cancelled', (m) => this.ended(m, 'order.cancelled')),
      on('customer.notified', (m) => this.notified(m)),
    ];
  }

  static async connect(options: ConnectionOptions): Promise<OutcomeWatcher> {
    const watcher = new OutcomeWatcher(await connect({ ...options, name: 'bench-outcomes' }));
    await watcher.nc.flush(); // the subscriptions are in place before the first order
    return watcher;
  }

  /** Call before placing the order. Resolves at its terminal event; `onNotified` hears customer.notified. */
  expect(orderId: string, onNotified?: (at: number) => void): Promise<Outcome> {
    return new Promise((resolve) => this.watched.set(orderId, { resolve, onNotified }));
  }

  /** Stops waiting for these orders (a placement that failed, or the end of a phase). */
  forget(orderIds?: Iterable<string>): void {
    if (orderIds === undefined) this.watched.clear();
    else for (const id of orderIds) this.watched.delete(id);
  }

  async close(): Promise<void> {
    for (const sub of this.subs) sub.unsubscribe();
    await this.nc.close();
  }

  private ended(m: Msg, terminal: Terminal): void {
    const at = performance.now();
    const w = this.watched.get(orderIdOf(m));
    if (!w || w.ended) return; // not ours, or a re-publish after a redelivery
    w.ended = { terminal, at };
    w.resolve(w.ended);
    if (!w.onNotified) this.watched.delete(orderIdOf(m));
  }

  private notified(m: Msg): void {
    const at = performance.now();
    const id = orderIdOf(m);
    const w = this.watched.get(id);
    if (!w?.ended) return; // in both styles the notification follows the terminal event
    this.watched.delete(id);
    w.onNotified?.(at);
  }
}

/** The order id of an event: the CloudEvent's `subject`, or `data.orderId` / `orderId` of a bare one. */
function orderIdOf(m: Msg): string {
  const body = m.json<{ subject?: string; orderId?: string; data?: { orderId?: string } }>();
  return body.subject ?? body.data?.orderId ?? body.orderId ?? '';
}
