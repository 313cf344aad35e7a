import { ApiError } from './api.js';
import { h } from './dom.js';

/**
 * What a page is given: where to draw, and a way to poll that stops when the person leaves the
 * page (the router aborts the signal), so no timer outlives its page.
 */
export interface PageContext {
  main: HTMLElement;
  signal: AbortSignal;
  /** Calls `tick` now and every `ms` until the page is left or `tick` returns false. */
  poll(tick: () => Promise<boolean | void>, ms: number): void;
}

export type Page = (context: PageContext, params: string[]) => Promise<void>;

/** A message in place of data: the API's error, with a hint when the key is the problem. */
export function errorBox(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.status === 401) {
    return h('p', { class: 'error' }, 'The API refused the function key (401): enter the Function App\'s key above and save it.');
  }
  const message = error instanceof Error ? error.message : String(error);
  return h('p', { class: 'error' }, message);
}
