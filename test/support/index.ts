// Test support: real servers on free 127.0.0.1 ports, probes instead of sleeps, Jaeger API helpers.
export { REPO_ROOT, TOOLS_BIN, resolveBinary } from './binaries';
export { onExitCleanup } from './exit-guard';
export * from './jaeger';
export * from './jaeger-api';
export * from './jaeger-otlp-api';
export * from './nats-cli';
export * from './nats-server';
export * from './ports';
export * from './probe';
export * from './processes';
