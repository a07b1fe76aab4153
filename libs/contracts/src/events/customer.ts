import { z } from 'zod';
import { eventBase } from './common';

export const CUSTOMER_NOTIFIED = 'customer.notified';

export const CustomerNotifiedSchema = z.looseObject({
  ...eventBase,
  channel: z.string().min(1).max(32),
  template: z.string().min(1).max(64),
});
export type CustomerNotified = z.infer<typeof CustomerNotifiedSchema>;
