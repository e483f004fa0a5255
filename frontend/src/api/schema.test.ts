import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const frontend = fileURLToPath(new URL('../..', import.meta.url));
const python = resolve(frontend, '../.venv/bin/python');

describe('generated API types', () => {
  it.skipIf(!existsSync(python))(
    'match a freshly generated OpenAPI document (npm run api:types regenerates them)',
    () => {
      const out = execFileSync('node', ['scripts/api-types.mjs', '--check'], {
        cwd: frontend,
        encoding: 'utf8',
      });
      expect(out).toContain('matches the API');
    },
    60_000,
  );
});
