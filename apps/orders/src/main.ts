import { runService } from '@flowscope/runtime';
import { loadOrdersConfig } from './config';
import { OrdersModule } from './orders.module';

runService('orders', loadOrdersConfig, (config) => OrdersModule.forRoot(config));
