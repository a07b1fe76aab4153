// Public surface of @flowscope/fulfilment: the order-fulfilment domain's shared pieces that are not
// transport (those live in @flowscope/messaging): the fallback order lookup, and the failure flags
// with the injector that applies them (simulation).
export { OrderLookup, OrderLookupModule, ORDERS_BUCKET } from './order-lookup';
export {
  FLAG_DESCRIPTIONS,
  FLAG_KEYS,
  FLAGGED_SERVICES,
  FLAGS_BUCKET,
  FailureFlags,
  MAX_LATENCY_MS,
  isFlagKey,
  isLatencyFlag,
  parseFlag,
  seededRandom,
} from './flags';
export type {
  FailureFlagsOptions,
  FlagKey,
  FlagLog,
  FlagValues,
  FlaggedService,
  LatencyFlag,
  ParsedFlag,
  RandomSource,
  RateFlag,
} from './flags';
export { FailureFlagsModule, FailureInjector, failureMetrics } from './failure-injector';
