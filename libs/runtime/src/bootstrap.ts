import { JetStreamEventServer } from '@flowscope/messaging';
import { ArgumentsHost, Catch, type DynamicModule, type RpcExceptionFilter, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { throwError, type Observable } from 'rxjs';

/** Hands a handler's own error to the transport, which retries or dead-letters with its message. */
@Catch()
class RethrowToTransport implements RpcExceptionFilter {
  catch(error: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => error);
  }
}

/** Starts a service: HTTP API, JetStream consumers, structured logs, graceful shutdown. */
export async function bootstrapService(
  module: Type | DynamicModule,
  http: { host: string; port: number },
): Promise<void> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Deferred, so the filter below is registered before the handlers are bound.
  const events = app.connectMicroservice(
    { strategy: app.get(JetStreamEventServer) },
    { inheritAppConfig: false, deferInitialization: true },
  );
  events.useGlobalFilters(new RethrowToTransport());
  await app.startAllMicroservices();
  await app.listen(http.port, http.host);
  app.get(Logger).log(`listening on http://${http.host}:${http.port}`);
}

/**
 * The whole of a service's `main.ts`: validate the environment (a bad setting stops the process with
 * a message naming it), build the root module from the config, and start.
 */
export function runService<C extends { HTTP_HOST: string; HTTP_PORT: number }>(
  service: string,
  loadServiceConfig: () => C,
  rootModule: (config: C) => Type | DynamicModule,
): void {
  let config: C;
  try {
    config = loadServiceConfig();
  } catch (error) {
    process.stderr.write(`${service}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  bootstrapService(rootModule(config), { host: config.HTTP_HOST, port: config.HTTP_PORT }).catch((error: unknown) => {
    process.stderr.write(
      `${service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
