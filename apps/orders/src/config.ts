import { FlowStyleSchema } from '@flowscope/contracts';
import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import { z } from 'zod';

const millis = (fallback: number) => z.coerce.number().int().min(1).max(600_000).default(fallback);

export const ordersConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: httpPort(3001),
  /** Style of an order whose request does not say. */
  ORDER_STYLE: FlowStyleSchema.default('choreography'),
  /** How long the orchestrator waits for a command's reply. */
  SAGA_STEP_TIMEOUT_MS: millis(2000),
  /** Attempts per saga step before it counts as failed (and the saga compensates). */
  SAGA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  /** Delay before the first retry of a step; doubles with each further attempt. */
  SAGA_RETRY_BACKOFF_MS: millis(250),
});
export type OrdersConfig = z.infer<typeof ordersConfigSchema>;
export const ORDERS_CONFIG = Symbol('ORDERS_CONFIG');

export const loadOrdersConfig = (): OrdersConfig => loadConfig(ordersConfigSchema);
