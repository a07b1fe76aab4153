// Issue 15 acceptance: the console in a real headless Chromium against the whole system as
// `npm start` runs it (free ports, with Jaeger), asserting what a person sees.
import type { Browser, Page } from 'playwright-core';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import { consoleUp, launchChromium, placeEveryOutcome, placeStalledOrder } from './support/console';
import { natsPub } from './support/nats-cli';

const SLA_MS = 12_000;
const SEEN_MS = 30_000;

let system: FlowscopeSystem;
let browser: Browser;
let page: Page;
let stalled: string;
let stalledPage: Page;

beforeAll(async () => {
  system = await startSystem({
    appEnv: { LOG_LEVEL: 'warn', FLOW_TIMEOUT_MS: String(SLA_MS), STALL_SWEEP_MS: '200' },
  });
  await consoleUp(system);
  browser = await launchChromium();
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
}, 60_000);

const consoleUrl = (hash: string) => `${system.app('process-tracker').url}/#${hash}`;
const seen = { timeout: SEEN_MS };

describe('the console', () => {
  it('a flow left waiting turns visibly stalled at its SLA, without a reload', async () => {
    stalled = await placeStalledOrder(system);
    stalledPage = await browser.newPage();
    await stalledPage.goto(consoleUrl(`/flows/order-fulfillment/${stalled}`));
    await stalledPage.getByRole('heading', { name: `Flow ${stalled}` }).waitFor(seen);
    await stalledPage.getByRole('status').getByText('Waiting for shipment').waitFor(seen);
    await stalledPage
      .getByRole('status')
      .getByText('stalled', { exact: true })
      .waitFor({ timeout: SLA_MS + SEEN_MS });
  }, 120_000);

  it('the overview counts every outcome at its step in both styles, and the stalled flow at shipment', async () => {
    await placeEveryOutcome(system);
    await page.goto(consoleUrl('/'));
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(seen);
    for (const style of ['choreography', 'orchestration']) {
      const board = page.getByRole('region', { name: style });
      await board.getByText('1 ended failed').first().waitFor(seen);
      const steps = board.getByRole('list', { name: `Steps of order-fulfillment, ${style}` });
      const step = (name: string) => steps.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
      await step('payment').getByText('1 ended failed').waitFor(seen);
      await step('stock').getByText('1 ended compensated').waitFor(seen);
      await step('shipment').getByText('1 ended compensated').waitFor(seen);
      const figures = board.getByRole('definition');
      expect(await figures.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^25\.0 %$/)]));
    }
    const choreography = page.getByRole('region', { name: 'choreography' });
    await choreography.getByRole('link', { name: '1 stalled at shipment' }).waitFor(seen);
    expect(
      await page
        .getByRole('region', { name: 'orchestration' })
        .getByRole('link', { name: /stalled at/ })
        .count(),
    ).toBe(0);
  }, 180_000);

  it('filtering the list by stalled finds the stalled flow, with its pending step', async () => {
    await page.goto(consoleUrl('/flows'));
    await page.getByLabel('Status').selectOption('stalled');
    await page.getByRole('table', { name: /status stalled/ }).waitFor(seen);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: stalled }) });
    await row.waitFor(seen);
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('shipment');
    expect(await page.getByRole('row').count()).toBe(2); // the header and the stalled flow
  }, 60_000);

  it('its page names the pending step and joins spans from four services with their async hops', async () => {
    await page.getByRole('link', { name: stalled }).click();
    await page.getByRole('heading', { name: `Flow ${stalled}` }).waitFor(seen);
    await page.getByRole('status').getByText('Waiting for shipment').waitFor(seen);
    const lanes = page.getByRole('list', { name: /^Spans of \d+ services on one timeline/ });
    await lanes.waitFor(seen);
    for (const service of ['orders', 'payments', 'seller', 'logistics'])
      await lanes.getByRole('heading', { name: service }).waitFor(seen);
    const hops = page.getByRole('table', { name: /hops between services/ });
    await hops
      .getByRole('row')
      .filter({ hasText: 'process payment.authorized' })
      .filter({ hasText: 'async' })
      .first()
      .waitFor(seen);
    await hops.getByRole('row').filter({ hasText: 'logistics: process stock.reserved' }).first().waitFor(seen);
  }, 90_000);

  it('when the missing event arrives, the open page shows the flow completed without a reload', async () => {
    await natsPub(
      system.nats,
      'shipment.scheduled',
      JSON.stringify({ orderId: stalled, shipmentId: 'sh-cli', carrier: 'cli' }),
    );
    await stalledPage.getByRole('status').getByText('completed', { exact: true }).waitFor(seen);
    await stalledPage.getByRole('row').filter({ hasText: 'order.completed' }).waitFor(seen);
  }, 60_000);

  it('an unknown flow has a clear error page', async () => {
    await page.goto(consoleUrl('/flows/order-fulfillment/no-such-order'));
    await page.getByRole('heading', { name: 'Flow not found' }).waitFor(seen);
    expect(await page.getByRole('alert').textContent()).toContain('No order-fulfillment flow “no-such-order”');
  }, 30_000);
});
