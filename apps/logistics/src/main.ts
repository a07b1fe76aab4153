import { runService } from '@flowscope/runtime';
import { loadLogisticsConfig } from './config';
import { LogisticsModule } from './logistics.module';

runService('logistics', loadLogisticsConfig, (config) => LogisticsModule.forRoot(config));
