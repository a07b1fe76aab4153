import { parseFlag, type FlagKey } from '@flowscope/fulfilment';
import { randomBytes } from 'node:crypto';

/** What an order is made to end in, through the deterministic rules of README "Asking for each outcome". */
export const SCENARIOS = ['happy', 'decline', 'out-of-stock', 'shipping-failure'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** How orders enter: `POST /orders` on the orders service, or `order.placed` straight on NATS. */
export const ENTRY_POINTS = ['http', 'nats'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** A run of the load generator, every default filled in and every value checked. */
export interface LoadOptions {
  /** Orders per second. */
  rate: number;
  /** Seconds to run (Ctrl-C or `signal` stops earlier). */
  durationSec: number;
  /** Stop after this many publications, if reached before the duration. */
  count?: number;
  /** Share of orders placed in orchestration style, in [0, 1]; the rest are choreographed. */
  orchestration: number;
  /** Relative weight of each scenario (at least one above 0). */
  mix: Record<Scenario, number>;
  entry: EntryPoint;
  /** Failure flags written to the bucket `flags` before the first order. */
  flags: Partial<Record<FlagKey, number>>;
  /** Delete every flag in the bucket before writing `flags`. */
  resetFlags: boolean;
  natsUrl: string;
  /** NATS user and password (environment `NATS_USER`, `NATS_PASSWORD`); none: no authentication. */
  natsAuth?: { user: string; pass: string };
  ordersUrl: string;
  /** Seconds between two progress reports. */
  progressEverySec: number;
  /** Most placements in flight at once; beyond it the generator falls behind its rate (and says so). */
  concurrency: number;
  /** Order ids are `<idPrefix>-<n>`: made up, never personal data. */
  idPrefix: string;
}

/** What a caller may give; everything but the URLs has a default. */
export type LoadOptionsInput = Partial<Omit<LoadOptions, 'mix' | 'flags'>> & {
  mix?: Partial<Record<Scenario, number>>;
  /** Flag values as in `nats kv put flags <key> <value>`. */
  flags?: Record<string, string | number>;
};

/** A bad option: the CLI prints the message and exits with code 2. */
export class LoadOptionsError extends Error {
  override readonly name = 'LoadOptionsError';
}

export const DEFAULTS = {
  rate: 5,
  durationSec: 30,
  orchestration: 0,
  entry: 'http',
  progressEverySec: 5,
  concurrency: 64,
  natsUrl: 'nats://127.0.0.1:4222',
  ordersUrl: 'http://127.0.0.1:3001',
} as const;

/** Fills in defaults (environment `NATS_URL`, `ORDERS_URL` for the URLs) and checks every value. */
export function resolveLoadOptions(input: LoadOptionsInput, env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const options: LoadOptions = {
    rate: check(
      'rate',
      input.rate ?? DEFAULTS.rate,
      (v) => v > 0 && v <= 10_000,
      'a number of orders per second above 0 (at most 10000)',
    ),
    durationSec: check(
      'duration',
      input.durationSec ?? DEFAULTS.durationSec,
      (v) => v > 0 && v <= 86_400,
      'a number of seconds above 0 (at most 86400)',
    ),
    orchestration: check(
      'orchestration',
      input.orchestration ?? DEFAULTS.orchestration,
      (v) => v >= 0 && v <= 1,
      'a share between 0 and 1',
    ),
    progressEverySec: check(
      'progress',
      input.progressEverySec ?? DEFAULTS.progressEverySec,
      (v) => v > 0,
      'a number of seconds above 0',
    ),
    concurrency: check(
      'concurrency',
      input.concurrency ?? DEFAULTS.concurrency,
      (v) => Number.isInteger(v) && v >= 1 && v <= 10_000,
      'a whole number from 1 to 10000',
    ),
    mix: resolveMix(input.mix),
    entry: oneOf('entry', input.entry ?? DEFAULTS.entry, ENTRY_POINTS),
    flags: resolveFlags(input.flags ?? {}),
    resetFlags: input.resetFlags ?? false,
    natsUrl: url(
      'nats-url',
      input.natsUrl ?? (env.NATS_URL || DEFAULTS.natsUrl),
      /^(nats|tls|wss?):\/\/[^\s,]+(,(nats|tls|wss?):\/\/[^\s,]+)*$/,
    ),
    ordersUrl: url(
      'orders-url',
      (input.ordersUrl ?? (env.ORDERS_URL || DEFAULTS.ordersUrl)).replace(/\/+$/, ''),
      /^https?:\/\/\S+$/,
    ),
    idPrefix: input.idPrefix ?? `lg-${randomBytes(3).toString('hex')}`,
  };
  const natsAuth = input.natsAuth ?? natsAuthFrom(env);
  if (natsAuth) options.natsAuth = natsAuth;
  if (input.count !== undefined) {
    options.count = check('count', input.count, (v) => Number.isInteger(v) && v >= 1, 'a whole number above 0');
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(options.idPrefix)) {
    throw new LoadOptionsError(
      `--id-prefix must be 1 to 80 letters, digits, _ or - (got ${JSON.stringify(options.idPrefix)})`,
    );
  }
  return options;
}

/** Credentials only from the environment, never from a flag (a command line is visible to everyone). */
function natsAuthFrom(env: NodeJS.ProcessEnv): LoadOptions['natsAuth'] {
  const user = env.NATS_USER || undefined;
  const pass = env.NATS_PASSWORD || undefined;
  if (user === undefined && pass === undefined) return undefined;
  if (user === undefined || pass === undefined)
    throw new LoadOptionsError('NATS_USER and NATS_PASSWORD go together: set both or neither');
  return { user, pass };
}

function check(name: string, value: number, ok: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new LoadOptionsError(`--${name} must be ${expected} (got ${String(value)})`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new LoadOptionsError(`--${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function url(name: string, value: string, shape: RegExp): string {
  if (!shape.test(value)) throw new LoadOptionsError(`--${name} is not a valid URL: ${JSON.stringify(value)}`);
  return value;
}

function resolveMix(mix: Partial<Record<Scenario, number>> | undefined): Record<Scenario, number> {
  const weights = Object.fromEntries(SCENARIOS.map((s) => [s, 0])) as Record<Scenario, number>;
  for (const [scenario, weight] of Object.entries(mix ?? { happy: 1 })) {
    const known = oneOf('mix', scenario, SCENARIOS);
    weights[known] = check('mix', weight, (v) => v >= 0, `weights of 0 or more (${scenario})`);
  }
  if (Object.values(weights).every((w) => w === 0))
    throw new LoadOptionsError('--mix needs at least one scenario with a weight above 0');
  return weights;
}

function resolveFlags(flags: Record<string, string | number>): Partial<Record<FlagKey, number>> {
  const out: Partial<Record<FlagKey, number>> = {};
  for (const [key, raw] of Object.entries(flags)) {
    const parsed = parseFlag(key, String(raw));
    if (!parsed.ok) throw new LoadOptionsError(`--flag ${key}=${String(raw)}: ${parsed.reason}`);
    out[parsed.key] = parsed.value;
  }
  return out;
}
