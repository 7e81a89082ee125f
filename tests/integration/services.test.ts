import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The real services later suites drive (Redis, Prometheus + promtool, Alertmanager) are installed by
 * scripts/ensure-test-services.sh before every `npm test`. This guards that promise: if a machine lacks one,
 * the suite fails here with the binary's name instead of skipping integration tests silently.
 */
const BINARIES: Record<string, RegExp> = {
  'redis-server': /Redis server v=\d+\.\d+/,
  prometheus: /prometheus, version \d+\.\d+/,
  promtool: /promtool, version \d+\.\d+/,
  'prometheus-alertmanager': /alertmanager, version \d+\.\d+/,
};

describe('test services', () => {
  for (const [bin, version] of Object.entries(BINARIES)) {
    it(`has ${bin} installed and runnable`, () => {
      const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toMatch(version);
    });
  }
});
