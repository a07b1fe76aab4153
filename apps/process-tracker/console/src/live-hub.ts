import { consoleClient, type FlowStatusChange } from './console-client';

type Listener = (change: FlowStatusChange) => void;

/** One stream of status changes for the whole page; views subscribe while they are shown. */
export class LiveHub {
  private readonly listeners = new Set<Listener>();

  constructor(indicator: HTMLElement) {
    consoleClient.changes(
      (change) => this.listeners.forEach((listener) => listener(change)),
      (live) => (indicator.textContent = live ? 'Live' : 'Reconnecting…'),
    );
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Runs `task` at most once per `ms`, the last call winning (a burst of changes → one refresh). */
export function throttle(task: () => void, ms: number): { (): void; cancel(): void } {
  let timer: number | undefined;
  const run = () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      task();
    }, ms);
  };
  run.cancel = () => window.clearTimeout(timer);
  return run;
}
