import { ErrorCode, NatsError } from 'nats';

let installed = false;

/**
 * nats.js (2.29) settles every request by resolving it and then calling `cancel()`, which builds a
 * `NatsError(CANCELLED)` to reject the promise already resolved: an Error, with its stack captured,
 * for every successful request. JetStream publishes, acks with replies and KV reads and writes are
 * all requests, so this was 11 % of a consumer's CPU in `bench:tracing` profiles (upstream:
 * nats-io/nats.deno#614; `noAsyncTraces` removes the other half of it). This builds the CANCELLED
 * error without capturing a stack. A real cancellation still gets its NatsError, code and message;
 * only the stack, which pointed into nats.js' own internals, is left out. Idempotent.
 */
export function skipStacksOfCancelledRequests(): void {
  if (installed) return;
  installed = true;
  const errorForCode = NatsError.errorForCode.bind(NatsError);
  const cancelled: string = ErrorCode.Cancelled;
  NatsError.errorForCode = (code: string, chainedError?: Error): NatsError => {
    if (code !== cancelled) return errorForCode(code, chainedError);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return errorForCode(code, chainedError);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
