// deploy/nats/nats.conf as compose runs it: the real nats-server accepts it with every password in
// the environment, and refuses to start when one is missing (no password has a default).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../deploy/launch/binaries';
import { generateNatsUsers, natsServerAuth } from '../../deploy/launch/nats-auth';
import { natsServerBin } from '../../deploy/launch/nats-server';
import { passwordVariable } from '../../deploy/nats/permissions';

/** `nats-server -t -c deploy/nats/nats.conf` with exactly `env` besides PATH: exit code and output. */
async function checkConf(env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(natsServerBin(), ['-t', '-c', 'deploy/nats/nats.conf'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ...env },
      timeout: 30_000,
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('deploy/nats/nats.conf with nats-server', () => {
  it('is valid with every password in the environment', async () => {
    const result = await checkConf(natsServerAuth(generateNatsUsers()).env);
    expect(result).toEqual({ ok: true, output: expect.stringContaining('is valid') });
  });

  it('refuses to start when a password is missing, naming its variable', async () => {
    const env = natsServerAuth(generateNatsUsers()).env;
    delete env[passwordVariable('process-tracker')];
    const result = await checkConf(env);
    expect(result).toEqual({
      ok: false,
      output: expect.stringContaining("variable reference for 'NATS_PASSWORD_PROCESS_TRACKER'"),
    });
  });
});
