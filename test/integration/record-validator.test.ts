import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { generateKeyPairSync, sign } from 'node:crypto';
import { verifyEd25519 } from '../../src/adapters/crypto/ed25519.ts';
import { nodeSha256 } from '../../src/adapters/crypto/node-sha256.ts';
import { workerRecordValidator } from '../../src/adapters/workers/worker-record-validator.ts';
import { inProcessRecordValidator } from '../../src/application/in-process-record-validator.ts';
import type { RecordInput } from '../../src/core/observations/raw-record.ts';

const now = Date.parse('2026-03-01T12:00:00Z');
const record = (i: number) => ({
  id: `r-${i}`,
  sourceId: 'ac-1',
  kind: 'acoustic',
  observedAt: '2026-03-01T11:00:00Z',
  timeUncertaintyMs: 10,
  location: { lat: 48 + i / 1e5, lon: 37, ceM: 5 },
  payload: { signal: 'impact' },
  text: (i % 13 === 0 ? 'Донецьк — ' : '') + 'x'.repeat(200),
});

/** 3,000 lines (~1 MB, so the worker validator cuts it into pieces), every 7th invalid, blank lines and CRLF among them. */
function ndjson(): string {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 7 === 3)
      lines.push(i % 2 === 0 ? '{broken' : JSON.stringify({ ...record(i), kind: 'telepathy' }));
    else if (i % 500 === 0) lines.push('');
    else lines.push(JSON.stringify(record(i)) + (i % 11 === 0 ? '\r' : ''));
  }
  return lines.join('\n');
}

/** The bytes as a view into the middle of a larger buffer, as Buffers often are. */
function viewInto(bytes: Uint8Array): Uint8Array {
  const larger = new Uint8Array(bytes.length + 64);
  larger.set(bytes, 32);
  return larger.subarray(32, 32 + bytes.length);
}

describe('the worker-thread validator gives exactly what in-process validation gives', () => {
  const workers = workerRecordValidator({ threads: 3 });
  const inProcess = inProcessRecordValidator(nodeSha256);
  after(() => workers.close());

  const inputs: [string, RecordInput][] = [
    ['NDJSON cut across threads', { format: 'ndjson', text: ndjson(), firstPosition: 1 }],
    [
      'NDJSON as UTF-8 bytes, cut across threads, from a view into a larger buffer',
      { format: 'ndjson', text: viewInto(Buffer.from(ndjson())), firstPosition: 1 },
    ],
    ['a JSON array', { format: 'json', text: JSON.stringify([record(1), { nope: true }, record(2)]) }],
    [
      'pre-split records',
      {
        format: 'records',
        records: [
          { position: 5, text: '{}', value: record(5) },
          { position: 6, text: '', issues: [{ path: 'x', reason: 'y' }] },
        ],
      },
    ],
  ];
  for (const [name, input] of inputs) {
    test(name, async () => {
      const [a, b] = await Promise.all([workers.validate(input, now), inProcess.validate(input, now)]);
      // Threads add each observation's ledger leaf (test/integration/precomputed-leaves.test.ts checks them).
      assert.ok(a.valid.every((r) => r.observation.precomputedLeaf?.receivedAtMs === now));
      const withoutLeaves = a.valid.map(
        ({ position, observation: { precomputedLeaf: _, ...observation } }) => ({
          position,
          observation,
        }),
      );
      assert.deepEqual({ valid: withoutLeaves, invalid: a.invalid }, b);
      if (input.format === 'ndjson') {
        // The caller's bytes are still there: the threads were sent a copy, not the caller's buffer.
        if (typeof input.text !== 'string') assert.equal(input.text.byteLength > 0, true);
        assert.ok(a.valid.length > 2000);
        assert.ok(a.valid.some((r) => r.observation.content.includes('Донецьк')));
        assert.ok(a.invalid.some((r) => r.position === 4 && r.issues[0]?.path === 'kind'));
        assert.ok(a.invalid.some((r) => r.position === 11 && r.issues[0]?.path === '(root)'));
      }
    });
  }

  test('the threads check Ed25519 signatures as the main thread would', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const data = viewInto(new TextEncoder().encode('"@method": POST\n"@signature-params": ()'));
    const signature = viewInto(sign(null, data, privateKey));
    const tampered = Uint8Array.from(data, (byte, i) => (i === 3 ? byte ^ 1 : byte));
    const cases: [Uint8Array, Uint8Array][] = [
      [data, signature],
      [tampered, signature],
      [data, signature.subarray(0, 63)],
    ];
    const onThreads = await Promise.all(cases.map(([d, s]) => workers.verifyEd25519(spki, d, s)));
    assert.deepEqual(onThreads, [true, false, false]);
    assert.deepEqual(
      onThreads,
      cases.map(([d, s]) => verifyEd25519(spki, d, s)),
    );
    // The caller's bytes are still there (cloned, not transferred).
    assert.equal(data.byteLength > 0 && signature.byteLength === 64, true);
    // A registry key that is not Ed25519 is the registry's fault: an internal error, as on the main thread.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const rsaSpki = rsa.export({ format: 'der', type: 'spki' }).toString('base64');
    await assert.rejects(workers.verifyEd25519(rsaSpki, data, signature), { code: 'E_INTERNAL' });
  });

  test('a body that is not JSON is E_BAD_REQUEST from a thread too', async () => {
    await assert.rejects(workers.validate({ format: 'json', text: '[{' }, now), { code: 'E_BAD_REQUEST' });
  });
});

/** The niceness of each thread of this process, by thread id (Linux: /proc/self/task/<tid>/stat). */
function nicenessByThread(): Map<number, number> {
  const niceness = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis start at the state (field 3); nice is field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    niceness.set(Number(tid), Number(fields[16]));
  }
  return niceness;
}

test(
  'validation threads run below the main thread’s priority, so a commit never queues behind them',
  { skip: !existsSync('/proc/thread-self') && 'threads have their own priority only on Linux' },
  async () => {
    const before = nicenessByThread();
    const validator = workerRecordValidator({ threads: 2 });
    try {
      // Enough lines to be cut into a piece per thread, so both threads start.
      const result = await validator.validate({ format: 'ndjson', text: ndjson(), firstPosition: 1 }, now);
      assert.ok(result.valid.length > 2000);
      const started = [...nicenessByThread()].filter(([tid]) => !before.has(tid));
      assert.equal(started.filter(([, nice]) => nice === 10).length, 2, JSON.stringify(started));
      assert.equal(nicenessByThread().get(process.pid), 0, 'the main thread keeps its priority');
    } finally {
      await validator.close();
    }
  },
);
