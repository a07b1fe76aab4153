import type { EventEnvelope } from '@flowscope/contracts';

/** `@EventPattern(subject, extras)`: by default handlers see choreographed flows only. */
export interface EventHandlerExtras {
  allStyles?: boolean;
}

/**
 * Step 2, filter: whether the handler reacts to this event. The orchestrator drives orchestrated
 * orders with commands; a choreography reaction to their events would drive them twice.
 */
export function reachesHandler(event: EventEnvelope, extras: EventHandlerExtras | undefined): boolean {
  return event.data.style !== 'orchestration' || extras?.allStyles === true;
}
