/** "35 ms", "1.2 s", "3 min 5 s", "2 h 4 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** Local time with milliseconds, date only when not today. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const at = new Date(iso);
  const clock =
    at.toLocaleTimeString(undefined, { hour12: false }) + `.${String(at.getMilliseconds()).padStart(3, '0')}`;
  return at.toDateString() === new Date().toDateString() ? clock : `${at.toLocaleDateString()} ${clock}`;
}

/** How long ago, e.g. "12 s ago". */
export function ago(iso: string, now = Date.now()): string {
  return `${duration(Math.max(0, now - Date.parse(iso)))} ago`;
}

export function percent(ratio: number | null): string {
  return ratio === null ? '–' : `${(ratio * 100).toFixed(ratio === 1 ? 0 : 1)} %`;
}

/** A short form of a long id (trace ids): first 8 characters, the whole in the title. */
export const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);
