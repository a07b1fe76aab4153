import { FailureFlagsModule } from '@flowscope/fulfilment';
import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { PaymentsConfig } from './config';
import { AuthorizePayment } from './payments/authorize-payment/authorize-payment';
import { AuthorizePaymentHandler } from './payments/authorize-payment/authorize-payment.handler';
import { PaymentLedger } from './payments/payment-ledger';
import { RefundPayment } from './payments/refund-payment/refund-payment';
import { RefundPaymentHandler } from './payments/refund-payment/refund-payment.handler';

@Module({})
export class PaymentsModule {
  static forRoot(config: PaymentsConfig): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        ServiceModule.forRoot({ service: 'payments', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) }),
        FailureFlagsModule.forService('payments'),
      ],
      controllers: [AuthorizePaymentHandler, RefundPaymentHandler],
      providers: [PaymentLedger, AuthorizePayment, RefundPayment],
    };
  }
}
