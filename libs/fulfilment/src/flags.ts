import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { JetStreamClient, KV, KvEntry, QueuedIterator } from 'nats';
import { Gauge, register } from 'prom-client';
import { jetStreamReplicas } from '@flowscope/messaging';

/** The KV bucket that holds the failure flags: `nats kv put flags payment.declineRate 0.2`. */
export const FLAGS_BUCKET = 'flags';

/** The services whose handling the flags can slow down or whose events they can drop. */
export const FLAGGED_SERVICES = ['payments', 'seller', 'logistics', 'notification'] as const;
export type FlaggedService = (typeof FLAGGED_SERVICES)[number];

/** A share in [0, 1] of the decisions a flag turns into a failure. */
export type RateFlag =
  | 'payment.declineRate'
  | 'seller.outOfStockRate'
  | 'logistics.failureRate'
  | 'loadgen.poisonRate'
  | `${FlaggedService}.dropRate`;
/** Milliseconds added to each handling, in [0, {@link MAX_LATENCY_MS}]. */
export type LatencyFlag = `${FlaggedService}.latencyMs`;
export type FlagKey = RateFlag | LatencyFlag;
export type FlagValues = Record<FlagKey, number>;

export const MAX_LATENCY_MS = 60_000;
const INITIAL_VALUES_WAIT_MS = 10_000;

/** Every flag and what it does (the loadgen's `--help` and the README list these). */
export const FLAG_DESCRIPTIONS: Readonly<Record<FlagKey, string>> = {
  'payment.declineRate': 'share of payments declined (payment.declined, order cancelled)',
  'seller.outOfStockRate': 'share of reservations found out of stock (stock.unavailable, payment refunded)',
  'logistics.failureRate': 'share of shipments that fail (shipment.failed, stock released, payment refunded)',
  ...perService('latencyMs', (s) => `ms added to each message or command ${s} handles`),
  ...perService(
    'dropRate',
    (s) => `share of ${s}'s resulting events not published (logged and counted): the flow stalls`,
  ),
  'loadgen.poisonRate': "share of the load generator's publications replaced by a poison message",
} as Record<FlagKey, string>;

export const FLAG_KEYS = Object.keys(FLAG_DESCRIPTIONS) as FlagKey[];

function perService(suffix: string, describe: (service: FlaggedService) => string): Record<string, string> {
  return Object.fromEntries(FLAGGED_SERVICES.map((s) => [`${s}.${suffix}`, describe(s)]));
}

export function isFlagKey(key: string): key is FlagKey {
  return Object.prototype.hasOwnProperty.call(FLAG_DESCRIPTIONS, key);
}

export function isLatencyFlag(key: FlagKey): key is LatencyFlag {
  return key.endsWith('.latencyMs');
}

/** A flag value as read from the bucket: accepted, or refused with the reason. */
export type ParsedFlag = { ok: true; key: FlagKey; value: number } | { ok: false; key: string; reason: string };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Validates one flag: a known key, a decimal number, a rate in [0, 1] or a latency in [0, 60000] ms. */
export function parseFlag(key: string, raw: string): ParsedFlag {
  if (!isFlagKey(key)) return { ok: false, key, reason: `unknown flag (known: ${FLAG_KEYS.join(', ')})` };
  const text = raw.trim();
  if (!DECIMAL.test(text)) return { ok: false, key, reason: `${quote(raw)} is not a number` };
  const value = Number(text);
  if (isLatencyFlag(key)) {
    if (value < 0 || value > MAX_LATENCY_MS)
      return { ok: false, key, reason: `a latency must be between 0 and ${MAX_LATENCY_MS} ms, not ${text}` };
  } else if (value < 0 || value > 1) {
    return { ok: false, key, reason: `a rate must be between 0 and 1, not ${text}` };
  }
  return { ok: true, key, value };
}

function quote(raw: string): string {
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

/** A number in [0, 1) for a seed: the roll of one decision. */
export type RandomSource = (seed: string) => number;

/**
 * The default roll: uniform over seeds, but the same for the same seed (flag and order). A redelivered
 * event, a retried command and every replica reach the same decision for an order, as with the
 * deterministic rules (logistics keeps no record of its decisions to fall back on).
 */
export const seededRandom: RandomSource = (seed) => createHash('sha1').update(seed).digest().readUIntBE(0, 6) / 2 ** 48;

/** Where the flags report changes and refused values (Nest's Logger fits). */
export interface FlagLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface FailureFlagsOptions {
  bucket?: string;
  random?: RandomSource;
  log?: FlagLog;
}

const flagGauge =
  (register.getSingleMetric('flowscope_failure_flag') as Gauge | undefined) ??
  new Gauge({
    name: 'flowscope_failure_flag',
    help: 'Current value of each failure flag as this process applies it (0 when unset)',
    labelNames: ['flag'],
  });

/**
 * The failure flags as they are now. {@link FailureFlags.watch} follows the KV bucket `flags`, so a
 * `nats kv put flags …` takes effect within moments, without a read per message. A refused value is
 * logged with its key and reason and the previous value stays; a deleted key means no failure.
 */
export class FailureFlags implements OnApplicationShutdown {
  private readonly values = new Map<FlagKey, number>();
  private readonly random: RandomSource;
  private readonly logger: FlagLog;
  private watcher?: QueuedIterator<KvEntry>;

  constructor(options: Omit<FailureFlagsOptions, 'bucket'> = {}) {
    this.random = options.random ?? seededRandom;
    this.logger = options.log ?? new Logger('FailureFlags');
    for (const key of FLAG_KEYS) flagGauge.set({ flag: key }, 0);
  }

  /** Opens (creating it if missing) and follows the bucket; resolves once the current values are in. */
  static async watch(js: JetStreamClient, options: FailureFlagsOptions = {}): Promise<FailureFlags> {
    const flags = new FailureFlags(options);
    await flags.follow(
      await js.views.kv(options.bucket ?? FLAGS_BUCKET, { history: 1, replicas: jetStreamReplicas() }),
    );
    return flags;
  }

  /** The flag's value; 0 (no failure, no delay) when unset. */
  value(key: FlagKey): number {
    return this.values.get(key) ?? 0;
  }

  snapshot(): FlagValues {
    return Object.fromEntries(FLAG_KEYS.map((key) => [key, this.value(key)])) as FlagValues;
  }

  /** Whether the rate flag turns this decision (named by `seed`, e.g. the order id) into a failure. */
  rolls(key: RateFlag, seed: string): boolean {
    const rate = this.value(key);
    return rate > 0 && this.random(`${key}/${seed}`) < rate;
  }

  /** Applies one bucket entry (`raw` undefined: deleted); returns false when the value is refused. */
  apply(key: string, raw: string | undefined): boolean {
    if (raw === undefined) {
      if (isFlagKey(key) && this.values.delete(key)) this.changed(key, 0, 'unset');
      return true;
    }
    const parsed = parseFlag(key, raw);
    if (!parsed.ok) {
      const kept = isFlagKey(key) ? `; keeps ${this.value(key)}` : '';
      this.logger.warn(`failure flag ${key} ignored: ${parsed.reason}${kept}`);
      return false;
    }
    if (this.value(parsed.key) !== parsed.value || !this.values.has(parsed.key)) {
      this.values.set(parsed.key, parsed.value);
      this.changed(parsed.key, parsed.value, `= ${parsed.value}`);
    }
    return true;
  }

  /** Stops following the bucket; the values stay as they were. */
  stop(): void {
    this.watcher?.stop();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private changed(key: FlagKey, value: number, what: string): void {
    flagGauge.set({ flag: key }, value);
    this.logger.log(`failure flag ${key} ${what}`);
  }

  private async follow(kv: KV): Promise<void> {
    let initialized!: () => void;
    const ready = new Promise<void>((resolve) => (initialized = resolve));
    this.watcher = await kv.watch({ initializedFn: () => initialized() });
    const watcher = this.watcher;
    void (async () => {
      for await (const entry of watcher) this.apply(entry.key, entry.operation === 'PUT' ? entry.string() : undefined);
    })()
      .catch((error: unknown) => this.logger.warn(`failure flags no longer followed: ${String(error)}`))
      .finally(initialized);
    // The watcher says when it has delivered the current values; should that signal be lost, start
    // with what has arrived rather than hold the service up.
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, INITIAL_VALUES_WAIT_MS)));
    await Promise.race([ready, bounded]).finally(() => clearTimeout(timer));
  }
}
