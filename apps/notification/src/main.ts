import { runService } from '@flowscope/runtime';
import { loadNotificationConfig } from './config';
import { NotificationModule } from './notification.module';

runService('notification', loadNotificationConfig, (config) => NotificationModule.forRoot(config));
