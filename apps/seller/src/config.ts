import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import type { z } from 'zod';

export const sellerConfigSchema = baseConfigSchema.extend({ HTTP_PORT: httpPort(3003) });
export type SellerConfig = z.infer<typeof sellerConfigSchema>;

export const loadSellerConfig = (): SellerConfig => loadConfig(sellerConfigSchema);
