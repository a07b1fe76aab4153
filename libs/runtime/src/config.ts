import { z } from 'zod';

/** Settings every service has; each app extends this with its own in its `config.ts`. */
export const baseConfigSchema = z.object({
  /** Comma-separated NATS server URLs. */
  NATS_URL: z
    .string()
    .regex(/^(nats|tls|wss?):\/\/[^\s,]+(,(nats|tls|wss?):\/\/[^\s,]+)*$/, 'nats://host:port[,nats://...]')
    .default('nats://127.0.0.1:4222'),
  /** Interface the HTTP API binds to; containers set 0.0.0.0. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** NATS user this service connects as (with NATS_PASSWORD); unset: no authentication. */
  NATS_USER: z.string().min(1).max(64).optional(),
  /** That user's password: from the environment only, never from a committed file. */
  NATS_PASSWORD: z.string().min(1).max(256).optional(),
});

/** NATS user and password, when the service has them. */
export interface NatsAuth {
  user: string;
  pass: string;
}

/** The credentials of NATS_USER / NATS_PASSWORD: both or neither, or the boot stops naming them. */
export function natsAuth(config: { NATS_USER?: string; NATS_PASSWORD?: string }): NatsAuth | undefined {
  const { NATS_USER: user, NATS_PASSWORD: pass } = config;
  if (user === undefined && pass === undefined) return undefined;
  if (user === undefined || pass === undefined) {
    throw new ConfigError(
      `invalid configuration: NATS_USER and NATS_PASSWORD go together (${user === undefined ? 'NATS_USER' : 'NATS_PASSWORD'} is missing)`,
    );
  }
  return { user, pass };
}

export const httpPort = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** Thrown at boot for a bad setting; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment against `schema`, or throws naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = schema.safeParse(blanksRemoved);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? null)}: ${i.message}`,
  );
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}
