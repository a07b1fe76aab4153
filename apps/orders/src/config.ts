import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import type { z } from 'zod';

export const ordersConfigSchema = baseConfigSchema.extend({ HTTP_PORT: httpPort(3001) });
export type OrdersConfig = z.infer<typeof ordersConfigSchema>;

export const loadOrdersConfig = (): OrdersConfig => loadConfig(ordersConfigSchema);
