// `npm run screenshots`: starts the whole system on free ports (with Jaeger), places every outcome
// in both styles and one stalled order, and saves the console's three views to docs/console/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../deploy/launch/binaries';
import { startSystem } from '../../deploy/launch/system';
import { launchChromium, placeEveryOutcome, placeStalledOrder } from '../support/console';

const OUT = path.join(REPO_ROOT, 'docs', 'console');

async function main(): Promise<void> {
  const system = await startSystem({ appEnv: { LOG_LEVEL: 'warn', FLOW_TIMEOUT_MS: '5000', STALL_SWEEP_MS: '200' } });
  const browser = await launchChromium();
  try {
    const stalled = await placeStalledOrder(system);
    await placeEveryOutcome(system);
    mkdirSync(OUT, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const base = `${system.app('process-tracker').url}/#`;
    const shot = async (hash: string, ready: () => Promise<void>, file: string) => {
      await page.goto(`${base}${hash}`);
      await ready();
      await page.screenshot({ path: path.join(OUT, file), fullPage: true });
      process.stdout.write(`wrote docs/console/${file}\n`);
    };
    const wait = { timeout: 30_000 };
    await shot('/', () => page.getByRole('link', { name: '1 stalled at shipment' }).waitFor(wait), 'overview.png');
    await shot('/flows', () => page.getByRole('link', { name: stalled }).waitFor(wait), 'flows.png');
    await shot(
      `/flows/order-fulfillment/${stalled}`,
      () => page.getByRole('table', { name: /hops between services/ }).waitFor(wait),
      'flow.png',
    );
  } finally {
    await browser.close();
    await system.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
