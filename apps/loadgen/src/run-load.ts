import { FailureFlags, FLAGS_BUCKET, type FlagLog } from '@flowscope/fulfilment';
import { ensureStreams, jetStreamReplicas } from '@flowscope/messaging';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlacementError, placeOverHttp, placeOverNats, publishPoison } from './entry-points';
import { resolveLoadOptions, type LoadOptions, type LoadOptionsInput } from './load-options';
import { LoadTally, type LoadProgress, type LoadSummary } from './load-summary';
import { planOrder, poisonFor, ScenarioSpread, styleFor, type PlannedOrder, type PoisonMessage } from './order-plan';

/** What a caller (the CLI, a test) hears during a run. */
export interface LoadHooks {
  /** Stops the run early; the summary says `interrupted`. */
  signal?: AbortSignal;
  /** Every `progressEverySec`. */
  onProgress?: (progress: LoadProgress) => void;
  /** Each order accepted by the system (not poison, not failed placements). */
  onOrder?: (order: PlannedOrder) => void;
  /** Flag changes and refused flag values (default: nowhere). */
  log?: FlagLog;
}

/** NATS could not be reached or set up: nothing was placed. */
export class LoadgenSetupError extends Error {
  override readonly name = 'LoadgenSetupError';
}

/**
 * Places orders at `rate` per second until `durationSec` (or `count`, or the signal), with the
 * style share and scenario mix asked for; writes the requested failure flags first and follows
 * `loadgen.poisonRate` live. Resolves with the summary; throws LoadOptionsError for a bad option.
 */
export async function runLoad(input: LoadOptionsInput, hooks: LoadHooks = {}): Promise<LoadSummary> {
  const options = resolveLoadOptions(input);
  const nc = await connectNats(options.natsUrl, options.natsAuth);
  let flags: FailureFlags | undefined;
  try {
    const js = nc.jetstream();
    await ensureStreams(await nc.jetstreamManager());
    await writeFlags(js, options);
    flags = await FailureFlags.watch(js, { log: hooks.log ?? { log: () => undefined, warn: () => undefined } });
    return await generate(options, js, flags, hooks);
  } finally {
    flags?.stop();
    await nc.drain().catch(() => undefined);
  }
}

async function connectNats(url: string, auth: LoadOptions['natsAuth']): Promise<NatsConnection> {
  try {
    return await connect({ servers: url.split(','), name: 'loadgen', timeout: 5000, ...auth });
  } catch (error) {
    throw new LoadgenSetupError(`cannot reach NATS at ${url}: ${(error as Error).message}`);
  }
}

async function writeFlags(js: JetStreamClient, options: LoadOptions): Promise<void> {
  const kv = await js.views.kv(FLAGS_BUCKET, { history: 1, replicas: jetStreamReplicas() });
  if (options.resetFlags) {
    const keys: string[] = []; // all of them first: a delete while listing would end the listing
    for await (const key of await kv.keys()) keys.push(key);
    for (const key of keys) await kv.delete(key);
  }
  for (const [key, value] of Object.entries(options.flags)) await kv.put(key, String(value));
}

async function generate(
  options: LoadOptions,
  js: JetStreamClient,
  flags: FailureFlags,
  hooks: LoadHooks,
): Promise<LoadSummary> {
  const startedAt = performance.now();
  const tally = new LoadTally(startedAt);
  const spread = new ScenarioSpread(options.mix);
  const inFlight = new Set<Promise<void>>();
  const ticker = setInterval(
    () => hooks.onProgress?.(tally.progress(performance.now())),
    options.progressEverySec * 1000,
  );
  const endsAt = startedAt + options.durationSec * 1000;
  let orders = 0;
  try {
    for (let n = 0; options.count === undefined || n < options.count; n++) {
      const due = startedAt + (n * 1000) / options.rate;
      if (due >= endsAt || hooks.signal?.aborted) break;
      await sleepUntil(due, hooks.signal);
      if (hooks.signal?.aborted) break;
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      // Decided in launch order, so the style share and the mix hold however the requests interleave.
      const poison = flags.rolls('loadgen.poisonRate', `${options.idPrefix}-${n}`);
      const publication = poison
        ? poisonFor(options.idPrefix, n)
        : planOrder(options.idPrefix, n, spread.next(), styleFor(orders++, options.orchestration));
      const task = publish(publication, options, js, tally, hooks).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
  }
  const interrupted = hooks.signal?.aborted === true;
  const active = Object.fromEntries(Object.entries(flags.snapshot()).filter(([, v]) => v > 0));
  return tally.summary(performance.now(), {
    idPrefix: options.idPrefix,
    entry: options.entry,
    targetRate: options.rate,
    interrupted,
    flags: active,
  });
}

/** One publication: an order, or poison in its place; a failure is counted, never thrown. */
async function publish(
  publication: PlannedOrder | PoisonMessage,
  options: LoadOptions,
  js: JetStreamClient,
  tally: LoadTally,
  hooks: LoadHooks,
): Promise<void> {
  try {
    if ('body' in publication) {
      await publishPoison(js, publication);
      tally.poisoned++;
      return;
    }
    await (options.entry === 'http' ? placeOverHttp(options.ordersUrl, publication) : placeOverNats(js, publication));
    tally.order(publication.style, publication.scenario);
    hooks.onOrder?.(publication);
  } catch (error) {
    tally.error(error instanceof PlacementError ? error.kind : 'unexpected', (error as Error).message);
  }
}

async function sleepUntil(due: number, signal?: AbortSignal): Promise<void> {
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
}
