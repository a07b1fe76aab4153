import { runService } from '@flowscope/runtime';
import { loadPaymentsConfig } from './config';
import { PaymentsModule } from './payments.module';

runService('payments', loadPaymentsConfig, (config) => PaymentsModule.forRoot(config));
