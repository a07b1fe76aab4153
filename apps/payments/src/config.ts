import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import type { z } from 'zod';

export const paymentsConfigSchema = baseConfigSchema.extend({ HTTP_PORT: httpPort(3002) });
export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;

export const loadPaymentsConfig = (): PaymentsConfig => loadConfig(paymentsConfigSchema);
