// The console's test support: Debian's Chromium driven by playwright-core, and the orders that
// give every view something to show (both styles, every outcome, one stalled).
import { chromium, type Browser } from 'playwright-core';
import { waitFor } from '../../deploy/launch/probe';
import type { FlowscopeSystem } from '../../deploy/launch/system';
import { placeOrder, waitForOutcome } from './flow';
import { natsCli } from './nats-cli';
import { getFlow } from './tracker';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Headless Chromium as installed by the project's set-up (no browser download). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const book = { sku: 'BOOK-1', qty: 2, unitPrice: 12.5 };

/** One order per outcome, placed in a style; `flow` is the tracker's status it ends with. */
export const OUTCOMES = [
  { name: 'completed', flow: 'completed', order: { customerId: 'c-ok', items: [book] }, failedAt: null },
  { name: 'declined', flow: 'failed', order: { customerId: 'decline-1', items: [book] }, failedAt: 'payment' },
  {
    name: 'out of stock',
    flow: 'compensated',
    order: { customerId: 'c-oos', items: [{ sku: 'OOS-CHAIR', qty: 1, unitPrice: 80 }] },
    failedAt: 'stock',
  },
  {
    name: 'shipping failed',
    flow: 'compensated',
    order: { customerId: 'c-aq', items: [book], destination: 'AQ' },
    failedAt: 'shipment',
  },
] as const;

export const STYLES = ['choreography', 'orchestration'] as const;

/** Sets a failure flag through the NATS CLI and waits until `service` applies it (its gauge says so). */
export async function setFlag(
  system: FlowscopeSystem,
  service: 'logistics',
  flag: string,
  value: number,
): Promise<void> {
  const put = await natsCli(['kv', 'put', 'flags', flag, String(value)], { server: system.nats });
  if (put.code !== 0) throw new Error(`nats kv put flags ${flag}: ${put.stderr}`);
  const line = new RegExp(`^flowscope_failure_flag\\{[^}]*flag="${flag.replace('.', '\\.')}"[^}]*\\} ${value}$`, 'm');
  await waitFor(
    async () => {
      const res = await fetch(`${system.app(service).url}/metrics`);
      return line.test(await res.text());
    },
    { timeoutMs: 15_000, what: `${service} to apply ${flag}=${value}` },
  );
}

/**
 * A choreographed order that stalls waiting for its shipment: logistics drops its events
 * (logistics.dropRate 1) while the order passes orders, payments and seller. The flag is reset after.
 */
export async function placeStalledOrder(system: FlowscopeSystem): Promise<string> {
  await setFlag(system, 'logistics', 'logistics.dropRate', 1);
  const orderId = await placeOrder(system, { customerId: 'c-stall', items: [book], style: 'choreography' });
  await waitFor(
    async () => {
      const res = await getFlow(system.app('process-tracker'), orderId);
      return res.status === 200 && res.body.steps.find((s) => s.name === 'stock')?.status === 'done';
    },
    { timeoutMs: 30_000, what: `order ${orderId} to reach its shipment step` },
  );
  await waitFor(() => logisticsDropped(system), { timeoutMs: 15_000, what: 'logistics to drop the shipment event' });
  await setFlag(system, 'logistics', 'logistics.dropRate', 0);
  return orderId;
}

async function logisticsDropped(system: FlowscopeSystem): Promise<boolean> {
  const res = await fetch(`${system.app('logistics').url}/metrics`);
  return /^flowscope_failures_injected_total\{[^}]*flag="logistics\.dropRate"[^}]*\} [1-9]/m.test(await res.text());
}

/** Every outcome in both styles; resolves once each has ended at the orders API and in the tracker. */
export async function placeEveryOutcome(
  system: FlowscopeSystem,
): Promise<{ orderId: string; style: string; flow: string }[]> {
  const placed = await Promise.all(
    STYLES.flatMap((style) =>
      OUTCOMES.map(async ({ order, flow }) => ({
        orderId: await placeOrder(system, { ...order, style }),
        style,
        flow,
      })),
    ),
  );
  for (const { orderId, flow } of placed) {
    await waitForOutcome(system, orderId);
    await waitFor(
      async () => {
        const res = await getFlow(system.app('process-tracker'), orderId);
        return res.status === 200 && res.body.status === flow && res.body.steps.at(-1)?.status === 'done';
      },
      { timeoutMs: 30_000, what: `the tracker to see ${orderId} ${flow} and notified` },
    );
  }
  return placed;
}

/** The console's own API answers (the bundle is built and served). */
export async function consoleUp(system: FlowscopeSystem): Promise<void> {
  const res = await fetch(`${system.app('process-tracker').url}/`);
  if (res.status !== 200) throw new Error(`GET / answered ${res.status}: run npm run build`);
}
