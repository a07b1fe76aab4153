import { jetStreamReplicas } from './replicas';

describe('jetStreamReplicas (NATS_REPLICAS)', () => {
  it('is 1 when unset or blank, and the number given from 1 to 5', () => {
    expect(jetStreamReplicas({})).toBe(1);
    expect(jetStreamReplicas({ NATS_REPLICAS: '' })).toBe(1);
    expect(jetStreamReplicas({ NATS_REPLICAS: '3' })).toBe(3);
    expect(jetStreamReplicas({ NATS_REPLICAS: '5' })).toBe(5);
  });

  it.each(['0', '6', '2.5', 'three', '-1'])('refuses %s with a message that names the variable', (value) => {
    expect(() => jetStreamReplicas({ NATS_REPLICAS: value })).toThrow(
      `NATS_REPLICAS=${JSON.stringify(value)}: a whole number from 1 to 5`,
    );
  });
});
