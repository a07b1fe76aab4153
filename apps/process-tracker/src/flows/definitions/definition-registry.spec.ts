import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { correlationKey, DefinitionError, DefinitionRegistry } from './definition-registry';

const shipped = path.join(__dirname, '..', '..', '..', 'flows');

describe('DefinitionRegistry', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-defs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped order-fulfillment definition and routes its event types', () => {
    const registry = DefinitionRegistry.load(shipped);
    expect(registry.definitions.map((d) => d.name)).toEqual(['order-fulfillment']);
    expect(registry.forType('payment.refunded').map((d) => d.name)).toEqual(['order-fulfillment']);
    expect(registry.forType('order.exploded')).toEqual([]);
  });

  it('FLOW_TIMEOUT_MS overrides every SLA', () => {
    expect(DefinitionRegistry.load(shipped, 1234).get('order-fulfillment')?.timeoutMs).toBe(1234);
  });

  it('a bad file stops the load with a message naming the file and the field', () => {
    writeFileSync(
      path.join(dir, 'broken.yaml'),
      'name: broken\ncorrelation: orderId\ntimeoutMs: -5\nsteps:\n  - name: a\n    done: []\n',
    );
    expect(() => DefinitionRegistry.load(dir)).toThrow(DefinitionError);
    expect(() => DefinitionRegistry.load(dir)).toThrow(/broken\.yaml: timeoutMs: .*; steps\.0\.done: /);
  });

  it('a file that is not YAML, an empty folder and a missing folder are errors too', () => {
    expect(() => DefinitionRegistry.load(dir)).toThrow(/no flow definitions/);
    expect(() => DefinitionRegistry.load(path.join(dir, 'nope'))).toThrow(/cannot read FLOW_DEFINITIONS_DIR/);
    writeFileSync(path.join(dir, 'x.json'), '{ not json');
    expect(() => DefinitionRegistry.load(dir)).toThrow(/x\.json: cannot be parsed/);
  });

  it('finds the correlation value at a dotted path, and refuses unusable ones', () => {
    const def = { name: 'd', correlation: 'customer.id', timeoutMs: 1, steps: [{ name: 's', done: ['a.b'] }] };
    expect(correlationKey(def, { customer: { id: 'c-1' } })).toBe('c-1');
    expect(correlationKey(def, { customer: { id: 42 } })).toBe('42');
    expect(correlationKey(def, { customer: {} })).toBeUndefined();
    expect(correlationKey(def, { customer: { id: 'has space' } })).toBeUndefined();
  });
});
