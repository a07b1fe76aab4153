// Test support: real servers on free 127.0.0.1 ports, probes instead of sleeps, Jaeger API helpers.
export { REPO_ROOT, TOOLS_BIN, resolveBinary } from '../../deploy/launch/binaries';
export { onExitCleanup } from '../../deploy/launch/exit-guard';
export * from '../../deploy/launch/jaeger';
export * from './jaeger-api';
export * from './jaeger-otlp-api';
export * from './nats-cli';
export * from '../../deploy/launch/nats-server';
export * from '../../deploy/launch/ports';
export * from '../../deploy/launch/probe';
export * from '../../deploy/launch/processes';
