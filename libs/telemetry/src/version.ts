// Instrumentation scope of every span this library starts (lets Jaeger tell them apart from
// auto-instrumentation spans). Bump the version when span names or attributes change.
export const PACKAGE_NAME = '@flowscope/telemetry';
export const PACKAGE_VERSION = '0.1.0';
