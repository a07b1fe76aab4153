import { baseConfigSchema, httpPort, loadConfig } from '@flowscope/runtime';
import type { z } from 'zod';

export const notificationConfigSchema = baseConfigSchema.extend({ HTTP_PORT: httpPort(3005) });
export type NotificationConfig = z.infer<typeof notificationConfigSchema>;

export const loadNotificationConfig = (): NotificationConfig => loadConfig(notificationConfigSchema);
