import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HTTP_STATUS } from '../../src/api/http-status.ts';
import { ERROR_CODES } from '../../src/core/errors.ts';

test('docs/errors.md lists exactly the codes of the catalogue, with the statuses the API uses', () => {
  const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...page.matchAll(/^\| `(E_[A-Z_]+)` \| (\d{3}) \|/gm)].map(
    (m) => [m[1], Number(m[2])] as const,
  );
  const documented = new Map(rows);
  assert.equal(documented.size, rows.length, 'a code is listed twice');
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, status] of documented)
    assert.equal(status, HTTP_STATUS[code as keyof typeof HTTP_STATUS], code);
});
