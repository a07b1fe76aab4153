import { h } from '../dom';

/** A flow's status as a word with its colour (the colour is never the only cue). */
export function StatusBadge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}` }, status);
}
