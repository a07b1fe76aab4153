export * from './envelope';
export * from './errors';
export * from './events';
export * from './subjects';
export * from './validation';
export * from './commands';
export * from './commands/parse-command';
export * from './flows';
