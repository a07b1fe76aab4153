import { HELP, parseCli, type CliCommand } from './cli-args';
import { LoadOptionsError } from './load-options';
import { formatProgress, formatSummary } from './load-summary';
import { runLoad } from './run-load';

// `npm run loadgen -- --rate 20 --duration 60`: progress on stderr, the summary on stdout.
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof LoadOptionsError)) throw error;
    say(`loadgen: ${error.message}`);
    return 2;
  }
  if (command.kind === 'help') return (process.stdout.write(`${HELP}\n`), 0);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    say('loadgen: stopping (Ctrl-C again to quit at once)');
    stop.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  process.once('SIGTERM', () => stop.abort());
  const { options, json } = command;
  say(`loadgen: ${options.rate}/s for ${options.durationSec} s via ${options.entry}, ids ${options.idPrefix}-*`);
  const summary = await runLoad(options, {
    signal: stop.signal,
    onProgress: (p) => say(formatProgress(p)),
    log: { log: (m) => say(`loadgen: ${m}`), warn: (m) => say(`loadgen: ${m}`) },
  });
  process.stdout.write(`${json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
  return summary.placed + summary.poisoned === 0 && summary.errors > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    say(`loadgen: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
