/** OTEL_SDK_DISABLED as the SDK reads it (case-insensitive `true`), without loading the SDK. */
export function telemetryDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}
