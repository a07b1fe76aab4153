// Sends the generated cases and records what came back: the PubAck of each event, the reply to
// each command, the status and body of each request. Nothing here asserts; the spec does.
import { headers as natsHeaders, type JetStreamClient, type NatsConnection } from 'nats';
import type { CommandCase } from './command-cases';
import type { EventCase } from './event-cases';
import type { HttpCase } from './http-cases';

/** Runs `fn` over `items` with at most `concurrency` at once, results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export interface EventSent {
  case: EventCase;
  seq?: number;
  /** JetStream's verdict: a copy of a message id it stored within the duplicate window. */
  duplicate?: boolean;
  error?: string;
}

export function sendEvents(js: JetStreamClient, cases: readonly EventCase[], concurrency = 64): Promise<EventSent[]> {
  return pool(cases, concurrency, async (c) => {
    const hdrs = c.headers ? natsHeaders() : undefined;
    for (const [k, v] of Object.entries(c.headers ?? {})) hdrs!.set(k, v);
    try {
      const ack = await js.publish(c.subject, c.body, {
        headers: hdrs,
        ...(c.msgId ? { msgID: c.msgId } : {}),
        timeout: 30_000,
      });
      return { case: c, seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      return { case: c, error: String(error) };
    }
  });
}

export interface CommandSent {
  case: CommandCase;
  reply?: { ok?: unknown; code?: unknown; message?: unknown };
  error?: string;
}

export function sendCommands(
  nc: NatsConnection,
  cases: readonly CommandCase[],
  concurrency = 32,
): Promise<CommandSent[]> {
  return pool(cases, concurrency, async (c) => {
    try {
      const msg = await nc.request(c.subject, c.body, { timeout: 10_000 });
      return { case: c, reply: JSON.parse(Buffer.from(msg.data).toString()) as CommandSent['reply'] };
    } catch (error) {
      return { case: c, error: String(error) };
    }
  });
}

export interface HttpSent {
  case: HttpCase;
  status?: number;
  contentType?: string;
  body?: unknown;
  error?: string;
}

export function sendHttp(baseUrl: string, cases: readonly HttpCase[], concurrency = 8): Promise<HttpSent[]> {
  return pool(cases, concurrency, async (c) => {
    try {
      const res = await fetch(`${baseUrl}${c.path}`, {
        method: c.method,
        headers: c.headers,
        body: c.body,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: the spec reports a non-JSON answer
      }
      return { case: c, status: res.status, contentType: res.headers.get('content-type') ?? '', body };
    } catch (error) {
      return { case: c, error: String(error) };
    }
  });
}
