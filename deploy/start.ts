// `npm start`: the whole system on this machine without Docker. NATS (JetStream data kept in
// .data/nats), Jaeger with span metrics (SPM), Prometheus and every service as real processes on
// the ports of ARCHITECTURE.md; waits until all are healthy, prints where they are, and stops
// everything on Ctrl-C.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TOOLS_BIN } from './launch/binaries';
import type { NatsCredentials } from './launch/nats-auth';
import { startSystem, type FlowscopeSystem } from './launch/system';

const logDir = path.join(REPO_ROOT, '.run', 'logs');
/** This run's NATS credentials for the CLI (admin) and the load generator, readable by you only. */
const credentialFiles = {
  admin: path.join(REPO_ROOT, '.data', 'nats-admin.env'),
  loadgen: path.join(REPO_ROOT, '.data', 'nats-loadgen.env'),
};
const say = (line: string) => process.stdout.write(`[flowscope] ${line}\n`);

/** `export NATS_URL=… NATS_USER=… NATS_PASSWORD=…`, which the NATS CLI and the loadgen read. */
function writeCredentials(file: string, url: string, credentials: NatsCredentials): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    `export NATS_URL=${url}`,
    `export NATS_USER=${credentials.user}`,
    `export NATS_PASSWORD=${credentials.pass}`,
  ];
  writeFileSync(
    file,
    `# This run's NATS credentials (npm start makes new ones each run): source this file.\n${lines.join('\n')}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600); // an older file keeps its mode on write
}

function banner(system: FlowscopeSystem): string {
  const apps = [...system.apps.values()].map((app) => `  ${app.name.padEnd(15)} ${app.url}`).join('\n');
  const nats = path.relative(process.cwd(), path.join(TOOLS_BIN, 'nats')) || path.join(TOOLS_BIN, 'nats');
  const adminEnv = path.relative(process.cwd(), credentialFiles.admin);
  const tracker = system.app('process-tracker').url;
  return `
Flowscope is running.

  console         ${tracker}/   (every flow, where it is stuck, its traces joined)

${apps}
  nats            ${system.nats.url}   (monitoring ${system.nats.monitorUrl})
  jaeger          ${system.jaeger?.queryUrl ?? '-'}   (OTLP ${system.jaeger?.otlpHttpUrl ?? '-'}; span metrics at /api/metrics/calls?service=orders)
  prometheus      ${system.prometheus?.url ?? '-'}   (scrapes every service and Jaeger's span metrics)
  logs            ${path.relative(process.cwd(), logDir)}/<service>.log

Place an order:
  curl -s -X POST ${system.app('orders').url}/orders -H 'content-type: application/json' \\
    -d '{"customerId":"c-1","items":[{"sku":"BOOK-1","qty":2,"unitPrice":12.5}]}'
or publish one with the NATS CLI, as the admin (each service has its own NATS user; README "Security"):
  source ${adminEnv}
  ${nats} pub order.placed '{"orderId":"cli-1","customerId":"c-1","items":[{"sku":"BOOK-1","qty":1,"unitPrice":5}],"total":5,"currency":"EUR"}'
then:
  curl -s ${system.app('orders').url}/orders/cli-1
  curl -s '${system.jaeger?.queryUrl ?? ''}/api/traces?service=orders&tags={"flowscope.order.id":"cli-1"}'
  curl -s '${system.prometheus?.url ?? ''}/api/v1/query?query=flowscope_flows_ended_total'

Ctrl-C stops everything.
`;
}

async function main(): Promise<void> {
  const system = await startSystem({
    standardPorts: true,
    prometheus: true,
    natsStoreDir: path.join(REPO_ROOT, '.data', 'nats'),
    logDir,
    onProgress: say,
  });
  const users = system.nats.users!;
  writeCredentials(credentialFiles.admin, system.nats.url, users.admin);
  writeCredentials(credentialFiles.loadgen, system.nats.url, users.loadgen);
  process.stdout.write(banner(system));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping services, then Jaeger, Prometheus and NATS...`);
    system.stop().then(
      () => {
        say('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        say(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  say(`see ${path.relative(process.cwd(), logDir)}/ for the logs`);
  process.exit(1);
});
