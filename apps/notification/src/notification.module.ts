import { FailureFlagsModule } from '@flowscope/fulfilment';
import { natsAuth, ServiceModule } from '@flowscope/runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NotificationConfig } from './config';
import { NotifyCustomer } from './notify-customer/notify-customer';
import { NotifyCustomerHandler } from './notify-customer/notify-customer.handler';
import { SentNotifications } from './notify-customer/sent-notifications';

@Module({})
export class NotificationModule {
  static forRoot(config: NotificationConfig): DynamicModule {
    return {
      module: NotificationModule,
      imports: [
        ServiceModule.forRoot({ service: 'notification', natsUrl: config.NATS_URL, natsAuth: natsAuth(config) }),
        FailureFlagsModule.forService('notification'),
      ],
      controllers: [NotifyCustomerHandler],
      providers: [NotifyCustomer, SentNotifications],
    };
  }
}
