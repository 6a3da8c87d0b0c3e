import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

test('the test runner was given every test file in the repository', (t) => {
  const root = new URL('../..', import.meta.url).pathname;
  const tracked = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.test.ts'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((f) => (f.startsWith('src/') || f.startsWith('test/')) && f.endsWith('.test.ts'));
  const found = Number(process.env.TRUCELINE_TEST_FILES_FOUND);
  if (process.env.TRUCELINE_TEST_FILTERED === '1' || Number.isNaN(found)) {
    t.skip('run outside `npm test` or with a file filter');
    return;
  }
  assert.equal(found, tracked.length, 'run-tests.mjs found a different number of files than git lists');
});
