import { z } from 'zod';
import { eventBase } from './common';
import { FulfilmentSchema } from './order';

export const STOCK_RESERVED = 'stock.reserved';
export const STOCK_UNAVAILABLE = 'stock.unavailable';
export const STOCK_RELEASED = 'stock.released';

export const StockEventSchema = z.looseObject({
  ...eventBase,
  fulfilment: FulfilmentSchema.optional(),
  reservationId: z.string().max(128).optional(),
  sku: z.string().max(64).optional(),
});
export type StockEvent = z.infer<typeof StockEventSchema>;
