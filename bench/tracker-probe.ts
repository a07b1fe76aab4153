import { connect } from 'nats';
import { startNatsServer } from '../deploy/launch/nats-server';
import { startTracker } from '../test/support/tracker';
import { flowEvents, SCENARIOS } from '../test/support/tracker';

async function main() {
  const nats = await startNatsServer();
  const tracker = await startTracker(nats.url, { FLOW_TIMEOUT_MS: '3600000' });
  const nc = await connect({ servers: nats.url });
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  const events = Array.from({ length: 1000 }, (_, i) => flowEvents(`p-${i}`, SCENARIOS.completed, Date.now() + i)).flat();
  const t0 = Date.now();
  for (let i = 0; i < events.length; i += 500) await Promise.all(events.slice(i, i + 500).map((e) => js.publish(e.type, JSON.stringify(e))));
  console.log('published', events.length, 'in', Date.now() - t0, 'ms');
  for (;;) {
    const info = await jsm.consumers.info('EVENTS', 'process-tracker');
    console.log(Date.now() - t0, 'ms ack_floor', info.ack_floor.stream_seq, 'pending', info.num_pending, 'ack_pending', info.num_ack_pending);
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(tracker.logs().slice(-2000));
  await nc.close(); await tracker.stop(); await nats.stop();
}
void main();
