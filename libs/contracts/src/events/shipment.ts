import { z } from 'zod';
import { eventBase } from './common';

export const SHIPMENT_SCHEDULED = 'shipment.scheduled';
export const SHIPMENT_FAILED = 'shipment.failed';

export const ShipmentEventSchema = z.looseObject({
  ...eventBase,
  shipmentId: z.string().max(128).optional(),
  carrier: z.string().max(64).optional(),
});
export type ShipmentEvent = z.infer<typeof ShipmentEventSchema>;
