/** Mist's time parameters: start/end as epoch seconds or relative ("-1d", "now"), duration like "10m", "2h", "7d", "2w". */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export class BadRequest extends Error {
  readonly statusCode = 400;
}

export function parseDuration(text: string): number {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) throw new BadRequest(`invalid duration "${text}"`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

function parseInstant(text: string, now: number): number {
  const t = text.trim();
  if (t === 'now') return now;
  if (t.startsWith('-')) return now - parseDuration(t.slice(1));
  const n = Number(t);
  if (!Number.isFinite(n)) throw new BadRequest(`invalid time "${text}"`);
  return n;
}

export interface Window {
  start: number;
  end: number;
}

/** Resolves the window the way Mist does: end defaults to now, start to end - duration (default 1d). */
export function resolveWindow(q: Record<string, string | undefined>, now: number, defaultDuration = '1d'): Window {
  const duration = parseDuration(q.duration ?? defaultDuration);
  const end = q.end !== undefined ? parseInstant(q.end, now) : q.start !== undefined && q.duration !== undefined
    ? parseInstant(q.start, now) + duration : now;
  const start = q.start !== undefined ? parseInstant(q.start, now) : end - duration;
  if (start > end) throw new BadRequest('start is after end');
  return { start, end };
}

export function parseLimit(value: string | undefined, fallback: number, max = 1000): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BadRequest(`invalid limit "${value}"`);
  return Math.min(n === 0 ? fallback : n, max);
}

export function parsePage(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BadRequest(`invalid page "${value}"`);
  return n;
}

/** Comma-separated filter values (Mist accepts lists on most filters since 2604). */
export function listParam(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}
