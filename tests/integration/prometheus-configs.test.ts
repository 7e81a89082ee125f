import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runTool } from '../support/prom-cli.js';

/**
 * Every Prometheus and Alertmanager configuration the project ships or shows: the files (found by their top-level
 * keys, wherever they are) and the complete configurations in README.md and docs/*.md code blocks, checked with
 * promtool check config / amtool check-config. (Compose mounts prometheus/ as it is: tests/integration/compose.test.ts
 * checks it as the containers see it; the Kubernetes rules: tests/integration/kubernetes.test.ts.)
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', 'tests']);
const scratch = mkdtempSync(join(tmpdir(), 'prom-configs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : walk(join(dir, e.name));
    return [join(dir, e.name)];
  });
}

const topKeys = (text: string): string[] => {
  try {
    const doc: unknown = parse(text);
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
  } catch {
    return [];
  }
};
const isPrometheus = (keys: string[]) => keys.includes('scrape_configs') || (keys.includes('global') && keys.includes('rule_files'));
const isAlertmanager = (keys: string[]) => keys.includes('route') && keys.includes('receivers');

const files = walk(ROOT).filter((f) => /\.ya?ml$/.test(f));
const promFiles = files.filter((f) => isPrometheus(topKeys(readFileSync(f, 'utf8'))));
const amFiles = files.filter((f) => isAlertmanager(topKeys(readFileSync(f, 'utf8'))));

/** ```yaml blocks of the docs that are whole Prometheus configurations (indentation removed). */
const docBlocks = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].flatMap((doc) =>
  [...readFileSync(join(ROOT, doc), 'utf8').matchAll(/^([ \t]*)```ya?ml\n([\s\S]*?)^\1```/gm)].map((m, i) => ({
    name: `${doc} block ${i + 1}`,
    text: m[2]!.split('\n').map((l) => l.slice(m[1]!.length)).join('\n'),
  })).filter((b) => isPrometheus(topKeys(b.text))));

describe('every Prometheus and Alertmanager configuration', () => {
  it('finds the shipped ones', () => {
    expect(promFiles.map((f) => relative(ROOT, f))).toContain('prometheus/prometheus.yml');
    expect(amFiles.map((f) => relative(ROOT, f))).toContain('prometheus/alertmanager.yml');
    expect(docBlocks.map((b) => b.name.split(' ')[0])).toEqual(expect.arrayContaining(['README.md', 'docs/metrics.md']));
  });

  it.each(promFiles.map((f) => [relative(ROOT, f)]))('promtool check config %s', async (file) => {
    const r = await runTool('promtool', ['check', 'config', file], ROOT);
    expect(r.output).toContain('is valid prometheus config file syntax');
    expect(r.code).toBe(0);
  });

  it.each(amFiles.map((f) => [relative(ROOT, f)]))('amtool check-config %s', async (file) => {
    const r = await runTool('amtool', ['check-config', file], ROOT);
    expect(r.output).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it.each(docBlocks.map((b) => [b.name, b.text]))('promtool check config: %s', async (name, text) => {
    const file = join(scratch, `${name.replace(/\W+/g, '-')}.yml`);
    writeFileSync(file, text);
    const r = await runTool('promtool', ['check', 'config', file]);
    expect(r.output, text).toContain('is valid prometheus config file syntax');
    expect(r.code).toBe(0);
  });
});
