import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import type { z } from 'zod';

export const logisticsConfigSchema = baseConfigSchema.extend({ HTTP_PORT: httpPort(3004) });
export type LogisticsConfig = z.infer<typeof logisticsConfigSchema>;

export const loadLogisticsConfig = (): LogisticsConfig => loadConfig(logisticsConfigSchema);
