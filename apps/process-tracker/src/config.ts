import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import path from 'node:path';
import { z } from 'zod';
import { consoleConfigShape } from './console/console-config';

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
  /** Events read, persisted and acknowledged together. */
  TRACKER_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  ...consoleConfigShape,
});
export type TrackerConfig = z.infer<typeof trackerConfigSchema>;
export const TRACKER_CONFIG = Symbol('TRACKER_CONFIG');

export const loadTrackerConfig = (): TrackerConfig => loadConfig(trackerConfigSchema);
