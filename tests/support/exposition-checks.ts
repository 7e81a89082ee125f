import { spawnSync } from 'node:child_process';

/** Checks on a whole exposition text that pipeline tests share. */

/** Series identities (name + labels) that occur more than once in an exposition. */
export function repeatedSeries(text: string): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const id = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(id)) repeated.push(id);
    seen.add(id);
  }
  return repeated;
}

/** `promtool check metrics` on the text: its exit code and findings ({ code: 0, output: '' } when clean). */
export function promtool(text: string): { code: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run promtool (${run.error.message})`);
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}
