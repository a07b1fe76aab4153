import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import path from 'node:path';
import { z } from 'zod';
import { consoleConfigShape } from './console/console-config';

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** A duration: a number of milliseconds, or a number with a unit (ms, s, m, h, d). */
const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(String(value));
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? 'ms'] : NaN;
  if (!Number.isFinite(ms) || ms < 1000) {
    ctx.addIssue({ code: 'custom', message: `a duration of at least 1s, like 7d, 12h, 90m or 30000 (got '${value}')` });
    return z.NEVER;
  }
  return Math.round(ms);
});

export const trackerConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: httpPort(3006),
  /** Folder of flow definitions (YAML or JSON); the shipped ones by default. */
  FLOW_DEFINITIONS_DIR: z
    .string()
    .min(1)
    .default(path.resolve(__dirname, '..', 'flows')),
  /** Overrides every definition's timeoutMs (the SLA after which a flow is stalled). */
  FLOW_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** How often stalled flows are looked for. */
  STALL_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Flows are split into this many partitions by a hash of their key; each has one owner at a time. */
  TRACKER_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  /**
   * How often changed flows and the stream position are checkpointed to NATS KV. A flow is written
   * once per checkpoint it changed in (and indexed while open across one): at 200 ms a flow that
   * lasts a few hundred ms under load was written two or three times (BENCHMARKS.md, issue 14).
   */
  CHECKPOINT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** A checkpoint starts early once this many changes wait for one. */
  CHECKPOINT_CHANGES: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  /** How long a stored flow is kept after its last change (`7d`, `12h`, `90m`, `30s` or milliseconds). */
  FLOW_RETENTION: duration.default(7 * DAY_MS),
  /** Ended flows kept in memory for the lists after they left the state (their stored JSON). */
  RECENT_ENDED_FLOWS: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** A partition's lease lapses this long after its owner's last renewal (a killed replica's partitions move). */
  LEASE_TTL_MS: z.coerce.number().int().min(500).max(60_000).default(5000),
  /** This replica's name in the leases (default: host name and process id). */
  TRACKER_REPLICA: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /**
   * How far V8 lets the heap grow past what the last full GC kept, in percent (V8's own default is
   * larger and grows with the heap). The tracker's heap is mostly long-lived flows: a small margin
   * keeps RSS near what they need at the cost of more frequent full GCs (BENCHMARKS.md, issue 13).
   * 0 leaves V8's default.
   */
  TRACKER_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(100).default(30),
  ...consoleConfigShape,
});
export type TrackerConfig = z.infer<typeof trackerConfigSchema>;
export const TRACKER_CONFIG = Symbol('TRACKER_CONFIG');

export const loadTrackerConfig = (): TrackerConfig => loadConfig(trackerConfigSchema);
