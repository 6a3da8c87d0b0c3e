import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import { decodeBase64 } from './base64.ts';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';

// The example of c2sp.org/tlog-checkpoint and tlog-cosignature.
const SOFA = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SOFA_ROOT = decodeBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=') as Uint8Array;

const refusedWith = (fn: () => unknown, path: string, reason: RegExp) =>
  assert.throws(
    fn,
    (error: unknown) =>
      isTrucelineError(error) &&
      error.code === 'E_VALIDATION' &&
      error.issues.some((issue) => issue.path === path && reason.test(issue.reason)) &&
      error.message.includes(path),
  );

describe('formatCheckpoint', () => {
  it('writes the example of the specification', () => {
    assert.equal(
      formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: SOFA_ROOT }),
      SOFA,
    );
  });

  it('writes extension lines after the root hash, and size 0 as "0"', () => {
    const body = formatCheckpoint({
      origin: 'o',
      size: 0,
      rootHash: new Uint8Array(32),
      extensions: ['x y', 'z'],
    });
    assert.equal(body, 'o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nx y\nz\n');
  });

  it('refuses what a checkpoint cannot hold, naming every field', () => {
    const root = new Uint8Array(32);
    refusedWith(() => formatCheckpoint({ origin: '', size: 1, rootHash: root }), 'origin', /empty/);
    refusedWith(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root }), 'origin', /newline/);
    refusedWith(() => formatCheckpoint({ origin: 'a\rb', size: 1, rootHash: root }), 'origin', /control/);
    refusedWith(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root }), 'size', /whole number/);
    refusedWith(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: root }), 'size', /whole number/);
    refusedWith(
      () => formatCheckpoint({ origin: 'o', size: 2 ** 53, rootHash: root }),
      'size',
      /whole number/,
    );
    refusedWith(
      () => formatCheckpoint({ origin: 'o', size: 1, rootHash: root.slice(1) }),
      'rootHash',
      /31 bytes/,
    );
    refusedWith(
      () => formatCheckpoint({ origin: 'o', size: 1, rootHash: root, extensions: [''] }),
      'extensions[0]',
      /empty/,
    );
    assert.throws(
      () => formatCheckpoint({ origin: '', size: -1, rootHash: root }),
      (error: unknown) => isTrucelineError(error) && error.issues.length === 2,
    );
  });
});

describe('parseCheckpoint', () => {
  it('reads the example of the specification', () => {
    const checkpoint = parseCheckpoint(SOFA);
    assert.equal(checkpoint.origin, 'example.com/behind-the-sofa');
    assert.equal(checkpoint.size, 20852163);
    assert.deepEqual(checkpoint.rootHash, SOFA_ROOT);
    assert.deepEqual(checkpoint.extensions, []);
    assert.equal(formatCheckpoint(checkpoint), SOFA);
  });

  it('reads extension lines and round-trips them', () => {
    const body = `${SOFA}ext one\next two\n`;
    const checkpoint = parseCheckpoint(body);
    assert.deepEqual(checkpoint.extensions, ['ext one', 'ext two']);
    assert.equal(formatCheckpoint(checkpoint), body);
  });

  it('names the line of each problem', () => {
    const [origin, size, hash] = SOFA.split('\n') as [string, string, string];
    refusedWith(() => parseCheckpoint(`\n${size}\n${hash}\n`), 'line 1', /origin/);
    for (const bad of ['', '01', '-1', '1.0', ' 1', '0x10', '1e3', '9007199254740992'])
      refusedWith(() => parseCheckpoint(`${origin}\n${bad}\n${hash}\n`), 'line 2', /tree size/);
    refusedWith(() => parseCheckpoint(`${origin}\n${size}\nnot base64!\n`), 'line 3', /not base64/);
    refusedWith(
      () => parseCheckpoint(`${origin}\n${size}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n`),
      'line 3',
      /not base64/,
    );
    refusedWith(() => parseCheckpoint(`${origin}\n${size}\nAAAA\n`), 'line 3', /3 bytes, not 32/);
    refusedWith(() => parseCheckpoint(`${SOFA}ext\n\n`), 'line 5', /extension/);
    refusedWith(() => parseCheckpoint(SOFA.slice(0, -1)), 'body', /newline/);
    refusedWith(() => parseCheckpoint(`${origin}\n${size}\n`), 'body', /not at least 3/);
  });

  it('reads the largest size a JS number holds exactly', () => {
    const body = `o\n9007199254740991\n${'A'.repeat(43)}=\n`;
    assert.equal(parseCheckpoint(body).size, Number.MAX_SAFE_INTEGER);
  });
});
