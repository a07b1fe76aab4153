import { ErrorCode, NatsError } from 'nats';
import { skipStacksOfCancelledRequests } from './nats-request-errors';

describe('skipStacksOfCancelledRequests', () => {
  beforeAll(() => skipStacksOfCancelledRequests());

  it('a CANCELLED error is still a NatsError with its code and message, without a captured stack', () => {
    const error = NatsError.errorForCode(ErrorCode.Cancelled);
    expect(error).toBeInstanceOf(NatsError);
    expect({ code: error.code, message: error.message }).toEqual({ code: ErrorCode.Cancelled, message: 'CANCELLED' });
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it('every other error keeps its stack, and stack traces elsewhere are untouched', () => {
    expect(NatsError.errorForCode(ErrorCode.Timeout).stack).toMatch(/\n\s+at /);
    expect(new Error('mine').stack).toMatch(/\n\s+at /);
  });

  it('installing twice wraps once', () => {
    const before = NatsError.errorForCode;
    skipStacksOfCancelledRequests();
    expect(NatsError.errorForCode).toBe(before);
  });
});
