import { writeFileSync } from 'node:fs';
import { startJaeger } from './jaeger';
import { startNatsServer } from './nats-server';

it('dies without cleaning up', async () => {
  const nats = await startNatsServer();
  const jaeger = await startJaeger();
  writeFileSync('/tmp/zz-crash-pids', `${nats.process.pid} ${jaeger.process.pid} ${nats.storeDir}`);
  if (process.env.ZZ_MODE === 'kill9') process.kill(process.pid, 'SIGKILL');
}, 60_000);
