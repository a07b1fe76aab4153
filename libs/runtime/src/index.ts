export * from './bootstrap';
export * from './config';
export * from './health.controller';
export * from './metrics.controller';
export * from './service.module';
