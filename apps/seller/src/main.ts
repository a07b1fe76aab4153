import { runService } from '@flowscope/runtime';
import { loadSellerConfig } from './config';
import { SellerModule } from './seller.module';

runService('seller', loadSellerConfig, (config) => SellerModule.forRoot(config));
