import { HELP, parseCli } from './cli-args';
import { LoadOptionsError, resolveLoadOptions } from './load-options';

const noEnv = {};

function run(args: string[], env: NodeJS.ProcessEnv = noEnv) {
  const command = parseCli(args, env);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command;
}

function refusal(args: string[]): string {
  try {
    parseCli(args, noEnv);
  } catch (error) {
    if (error instanceof LoadOptionsError) return error.message;
    throw error;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('parseCli', () => {
  it('runs with the defaults: 5 orders/s for 30 s over HTTP, all choreographed and happy, on the standard ports', () => {
    const { options, json } = run([]);
    expect(options).toMatchObject({
      rate: 5,
      durationSec: 30,
      orchestration: 0,
      entry: 'http',
      mix: { happy: 1, decline: 0, 'out-of-stock': 0, 'shipping-failure': 0 },
      flags: {},
      resetFlags: false,
      natsUrl: 'nats://127.0.0.1:4222',
      ordersUrl: 'http://127.0.0.1:3001',
    });
    expect(options.idPrefix).toMatch(/^lg-[0-9a-f]{6}$/);
    expect(json).toBe(false);
  });

  it('reads every option', () => {
    const { options, json } = run([
      '--rate',
      '20',
      '--duration',
      '60',
      '--count',
      '500',
      '--orchestration',
      '0.5',
      '--entry',
      'nats',
      '--mix',
      'happy=7,decline=1,out-of-stock=1,shipping-failure=1',
      '--flag',
      'payment.declineRate=0.2',
      '--flag',
      'logistics.latencyMs=150',
      '--reset-flags',
      '--progress',
      '2',
      '--concurrency',
      '8',
      '--id-prefix',
      'run-7',
      '--nats-url',
      'nats://10.0.0.5:4222',
      '--orders-url',
      'http://10.0.0.5:3001/',
      '--json',
    ]);
    expect(options).toEqual({
      rate: 20,
      durationSec: 60,
      count: 500,
      orchestration: 0.5,
      entry: 'nats',
      mix: { happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 },
      flags: { 'payment.declineRate': 0.2, 'logistics.latencyMs': 150 },
      resetFlags: true,
      progressEverySec: 2,
      concurrency: 8,
      idPrefix: 'run-7',
      natsUrl: 'nats://10.0.0.5:4222',
      ordersUrl: 'http://10.0.0.5:3001',
    });
    expect(json).toBe(true);
  });

  it('takes the URLs from NATS_URL and ORDERS_URL, options first', () => {
    const env = { NATS_URL: 'nats://n1:4222,nats://n2:4222', ORDERS_URL: 'http://orders:3001' };
    expect(run([], env).options).toMatchObject({
      natsUrl: 'nats://n1:4222,nats://n2:4222',
      ordersUrl: 'http://orders:3001',
    });
    expect(run(['--orders-url', 'http://elsewhere:80'], env).options.ordersUrl).toBe('http://elsewhere:80');
  });

  it('asks for help with -h or --help', () => {
    expect(parseCli(['-h'], noEnv)).toEqual({ kind: 'help' });
    expect(parseCli(['--rate', '3', '--help'], noEnv)).toEqual({ kind: 'help' });
    expect(HELP).toContain('payment.declineRate');
    expect(HELP).toContain('notification.dropRate');
  });

  it.each([
    [['--frobnicate'], "Unknown option '--frobnicate' (see --help)"],
    [['extra'], "Unexpected argument 'extra' (see --help)"],
    [['--rate'], "Option '--rate <value>' argument missing (see --help)"],
    [['--rate', '0'], '--rate must be a number of orders per second above 0 (at most 10000) (got 0)'],
    [['--rate=-5'], '--rate must be a number of orders per second above 0 (at most 10000) (got -5)'],
    [
      ['--rate', '-5'],
      "Option '--rate' argument is ambiguous. Did you forget to specify the option argument for '--rate'? To specify an option argument starting with a dash use '--rate=-XYZ' (see --help)",
    ],
    [['--rate', 'fast'], '--rate must be a number (got "fast")'],
    [['--duration', '0'], '--duration must be a number of seconds above 0 (at most 86400) (got 0)'],
    [['--count', '2.5'], '--count must be a whole number above 0 (got 2.5)'],
    [['--orchestration', '1.5'], '--orchestration must be a share between 0 and 1 (got 1.5)'],
    [['--entry', 'grpc'], '--entry must be one of http, nats (got "grpc")'],
    [['--concurrency', '0'], '--concurrency must be a whole number from 1 to 10000 (got 0)'],
    [
      ['--mix', 'happy'],
      '--mix expects scenario=weight[,…] with scenarios happy, decline, out-of-stock, shipping-failure (got "happy")',
    ],
    [['--mix', 'lucky=1'], '--mix must be one of happy, decline, out-of-stock, shipping-failure (got "lucky")'],
    [['--mix', 'happy=0'], '--mix needs at least one scenario with a weight above 0'],
    [['--mix', 'happy=-1'], '--mix must be weights of 0 or more (happy) (got -1)'],
    [
      ['--flag', 'payment.declineRate'],
      '--flag expects key=value, e.g. payment.declineRate=0.2 (got "payment.declineRate")',
    ],
    [['--flag', 'payment.declineRate=2'], '--flag payment.declineRate=2: a rate must be between 0 and 1, not 2'],
    [['--flag', 'payments.latencyMs=slow'], '--flag payments.latencyMs=slow: "slow" is not a number'],
    [['--nats-url', 'localhost:4222'], '--nats-url is not a valid URL: "localhost:4222"'],
    [['--orders-url', 'ftp://x'], '--orders-url is not a valid URL: "ftp://x"'],
    [['--id-prefix', 'a b'], '--id-prefix must be 1 to 80 letters, digits, _ or - (got "a b")'],
  ])('refuses %j: %s', (args, message) => {
    expect(refusal(args)).toBe(message);
  });

  it('refuses an unknown flag key and names the known ones', () => {
    expect(refusal(['--flag', 'payment.rate=0.1'])).toMatch(
      /^--flag payment\.rate=0\.1: unknown flag \(known: payment\.declineRate, /,
    );
  });
});

describe('resolveLoadOptions (what runLoad accepts from a program)', () => {
  it('fills the defaults and checks the values as the CLI does', () => {
    expect(resolveLoadOptions({ rate: 2, flags: { 'loadgen.poisonRate': 1 } }, noEnv)).toMatchObject({
      rate: 2,
      flags: { 'loadgen.poisonRate': 1 },
    });
    expect(() => resolveLoadOptions({ rate: 0 }, noEnv)).toThrow(LoadOptionsError);
    expect(() => resolveLoadOptions({ flags: { 'seller.dropRate': '1.5' } }, noEnv)).toThrow(
      'a rate must be between 0 and 1',
    );
  });
});
