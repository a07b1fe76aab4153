import { telemetryDisabledByEnv } from '../src/disabled';

describe('telemetryDisabledByEnv', () => {
  it('reads OTEL_SDK_DISABLED as the SDK does: true in any case disables, anything else does not', () => {
    const read = (value?: string): boolean => telemetryDisabledByEnv({ OTEL_SDK_DISABLED: value });
    expect([read('true'), read(' TRUE '), read('True')]).toEqual([true, true, true]);
    expect([read(undefined), read(''), read('false'), read('1'), read('yes')]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
