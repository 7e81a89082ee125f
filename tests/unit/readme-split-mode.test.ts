import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { DEMO_TOKEN, SimOptionsSchema } from '../../src/sim/options.js';

/** The README's split-mode section works as written against the simulator's real defaults. */
describe('README split mode', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('Split mode');
  const section = readme.slice(start, readme.indexOf('```\n', readme.indexOf('```sh', start) + 5));
  const sim = SimOptionsSchema.parse({});

  it('gives the simulator\'s address and token, as `npm run sim` defaults them', () => {
    expect(start).toBeGreaterThan(0);
    const host = `http://${sim.host}:${sim.port}`;
    expect(section).toContain(`export MIST_API_TOKENS=${DEMO_TOKEN} MIST_HOST=${host} REDIS_URL=`);
    expect(section).toContain(`npm run sim                          # Mist simulator: ${host}, token ${DEMO_TOKEN}`);
    expect(section).toMatch(/npm run cli -- collector/);
    expect(section).toMatch(/npm run cli -- exporter/);
  });

  it('its exported variables are a valid configuration for the collector', () => {
    const line = section.split('\n').find((l) => l.startsWith('export '))!;
    const env = Object.fromEntries(line.slice('export '.length).split(/\s+/).map((kv) => kv.split('=') as [string, string]));
    const config = loadConfig(env, { envFile: '/nonexistent' });
    expect(config.mist.baseUrl).toBe(`http://${sim.host}:${sim.port}`);
    expect(config.mist.tokens).toEqual([DEMO_TOKEN]);
    expect(config.redis.url).toBe('redis://localhost:6379');
  });
});
