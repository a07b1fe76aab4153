import { z } from 'zod';
import { eventBase } from './common';
import { FulfilmentSchema } from './order';

export const PAYMENT_AUTHORIZED = 'payment.authorized';
export const PAYMENT_DECLINED = 'payment.declined';
export const PAYMENT_REFUNDED = 'payment.refunded';

export const PaymentEventSchema = z.looseObject({
  ...eventBase,
  fulfilment: FulfilmentSchema.optional(),
  paymentId: z.string().max(128).optional(),
  amount: z.number().nonnegative().optional(),
});
export type PaymentEvent = z.infer<typeof PaymentEventSchema>;
