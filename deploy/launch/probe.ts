import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

/** What a probe answers: a truthy value means "ready" and is returned by {@link waitFor}. */
export type ProbeResult<T> = T | undefined | null | false;

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Deadline for the whole wait, probe calls included. */
  timeoutMs: number;
  /** Pause between two probe calls (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, in words: it names the timeout error ("nats-server healthz to answer ok"). */
  what: string;
}

/** Thrown by a probe to stop waiting at once (the thing awaited can no longer happen, e.g. its process died). */
export class StopWaiting extends Error {
  override readonly name = 'StopWaiting';
}

/** Thrown by {@link waitFor} when the deadline passes; carries the probe's last answer or error. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: { error?: unknown; value?: unknown },
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last ${describeLast(last)}`, {
      cause: last.error,
    });
  }
}

function describeLast(last: { error?: unknown; value?: unknown }): string {
  if ('error' in last) {
    const e = last.error;
    return `probe error: ${e instanceof Error ? `${e.name}: ${e.message}` : inspect(e)}`;
  }
  if ('value' in last) return `probe value: ${inspect(last.value, { depth: 4, breakLength: Infinity })}`;
  return 'probe never completed';
}

const TIMED_OUT = Symbol('timed out');

function deadlineRace<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws means
 * "not yet" (unless it throws {@link StopWaiting}); a probe call that hangs past the deadline
 * does not hold the wait up. This is the only way tests wait: never a fixed sleep.
 */
export async function waitFor<T>(
  probe: () => Promise<ProbeResult<T>> | ProbeResult<T>,
  opts: WaitForOptions,
): Promise<T> {
  const { timeoutMs, intervalMs = 100, what } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: { error?: unknown; value?: unknown } = {};
  for (;;) {
    try {
      const outcome = await deadlineRace(Promise.resolve().then(probe), deadline - Date.now());
      if (outcome === TIMED_OUT) break;
      if (outcome) return outcome;
      last = { value: outcome };
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      last = { error };
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await delay(Math.min(intervalMs, left)); // the poll interval, bounded by the deadline
  }
  throw new WaitTimeoutError(what, timeoutMs, last);
}

/** An HTTP answer: status, and the body parsed as JSON when it is JSON (else the raw text). */
export interface HttpJsonResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * `fetch` that never throws on an HTTP status and parses JSON bodies. Each call has its own
 * timeout (`init.timeoutMs`, default 5 s) so a stuck server fails the probe rather than the test.
 */
export async function httpJson<T = unknown>(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<HttpJsonResponse<T>> {
  const { timeoutMs = 5000, ...rest } = init;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...rest });
  const text = await response.text();
  let body: unknown = text;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text, the caller decides whether that is a failure
    }
  }
  return { status: response.status, body: body as T };
}
