import { FLAG_DESCRIPTIONS } from '@flowscope/fulfilment';
import { parseArgs } from 'node:util';
import {
  DEFAULTS,
  LoadOptionsError,
  resolveLoadOptions,
  SCENARIOS,
  type LoadOptions,
  type LoadOptionsInput,
} from './load-options';

/** What the command line asks for: the help text, or a run. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; options: LoadOptions; json: boolean };

const OPTIONS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  count: { type: 'string' },
  orchestration: { type: 'string' },
  mix: { type: 'string' },
  entry: { type: 'string' },
  flag: { type: 'string', multiple: true },
  'reset-flags': { type: 'boolean' },
  progress: { type: 'string' },
  concurrency: { type: 'string' },
  'id-prefix': { type: 'string' },
  'nats-url': { type: 'string' },
  'orders-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Reads `npm run loadgen -- <args>`; a bad argument throws a LoadOptionsError that names it. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // Node's message on an unknown option goes on about positionals: its first sentence is the
    // point. An ambiguous one (`--rate -5`) needs all of it: it says to write `--rate=-5`.
    const message = (error as Error).message;
    const text = message.includes('ambiguous') ? message.replace(/\s*\n\s*/g, ' ') : message.split(/\.\s/)[0];
    throw new LoadOptionsError(`${text.replace(/\.$/, '')} (see --help)`);
  }
  if (values.help) return { kind: 'help' };
  const input: LoadOptionsInput = {
    rate: number('rate', values.rate),
    durationSec: number('duration', values.duration),
    count: number('count', values.count),
    orchestration: number('orchestration', values.orchestration),
    progressEverySec: number('progress', values.progress),
    concurrency: number('concurrency', values.concurrency),
    mix: values.mix === undefined ? undefined : mix(values.mix),
    entry: values.entry as LoadOptionsInput['entry'],
    flags: flags(values.flag ?? []),
    resetFlags: values['reset-flags'],
    idPrefix: values['id-prefix'],
    natsUrl: values['nats-url'],
    ordersUrl: values['orders-url'],
  };
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as LoadOptionsInput;
  return { kind: 'run', options: resolveLoadOptions(given, env), json: values.json ?? false };
}

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim()))
    throw new LoadOptionsError(`--${name} must be a number (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

/** `happy=7,decline=1,out-of-stock=1,shipping-failure=1` */
function mix(raw: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const match = /^\s*([a-z-]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!match)
      throw new LoadOptionsError(
        `--mix expects scenario=weight[,…] with scenarios ${SCENARIOS.join(', ')} (got ${JSON.stringify(raw)})`,
      );
    weights[match[1]] = number(`mix ${match[1]}`, match[2])!;
  }
  return weights;
}

/** `--flag payment.declineRate=0.2`, repeatable; the value is checked as the services check it. */
function flags(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new LoadOptionsError(
        `--flag expects key=value, e.g. payment.declineRate=0.2 (got ${JSON.stringify(pair)})`,
      );
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

export const HELP = `Flowscope load generator: places orders at a steady rate, with a mix of styles and outcomes.

usage: npm run loadgen -- [options]

  --rate <n>              orders per second (default ${DEFAULTS.rate})
  --duration <s>          seconds to run (default ${DEFAULTS.durationSec}); Ctrl-C stops earlier, with the summary
  --count <n>             stop after n publications
  --orchestration <share> share of orders in orchestration style, 0..1 (default ${DEFAULTS.orchestration})
  --mix <weights>         scenario weights, e.g. happy=7,decline=1,out-of-stock=1,shipping-failure=1 (default happy=1)
  --entry http|nats       POST /orders on the orders service, or order.placed on NATS (default ${DEFAULTS.entry})
  --flag <key>=<value>    write a failure flag to the KV bucket flags first (repeatable)
  --reset-flags           delete every failure flag first
  --progress <s>          seconds between progress lines on stderr (default ${DEFAULTS.progressEverySec})
  --concurrency <n>       placements in flight at most (default ${DEFAULTS.concurrency})
  --id-prefix <p>         order ids are <p>-<n> (default lg-<random>)
  --nats-url <url>        default $NATS_URL or ${DEFAULTS.natsUrl}
  --orders-url <url>      default $ORDERS_URL or ${DEFAULTS.ordersUrl}
                          NATS credentials come from $NATS_USER and $NATS_PASSWORD (the loadgen user)
  --json                  print the summary as JSON
  -h, --help              this text

failure flags (change them live: nats kv put flags <key> <value>; nats kv del flags <key>):
${Object.entries(FLAG_DESCRIPTIONS)
  .map(([key, what]) => `  ${key.padEnd(24)}${what}`)
  .join('\n')}

exit codes: 0 done (also after Ctrl-C), 1 nothing could be placed or NATS unreachable, 2 bad arguments`;
