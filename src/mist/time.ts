import { setTimeout as delay } from 'node:timers/promises';

/** Epoch milliseconds. Injected so tests run on fake time. */
export type Now = () => number;

/** Waits `ms`; rejects when `signal` aborts. Injected so tests never really wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realNow: Now = () => Date.now();

export const realSleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
};
