import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import { fromHex, toHex, type Sha256 } from './hash.ts';
import {
  appendLeaves,
  assembleProof,
  consistencyPlan,
  consistencyProof,
  EMPTY_FRONTIER,
  emptyRoot,
  frontierNodes,
  frontierRoot,
  hashRange,
  inclusionPlan,
  inclusionProof,
  leafHash,
  makeFrontier,
  type MerkleFrontier,
  type NodeId,
  nodeHash,
  nodesOf,
  rangeNodes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const sha: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());
const hex = (text: string): Uint8Array => {
  const bytes = fromHex(text);
  assert.ok(bytes, `bad hex ${text}`);
  return bytes;
};

// ---- A naive reference: RFC 9162 section 2.1 written as the recursive definitions. ----

/** The largest power of two smaller than n (n ≥ 2). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes (RFC 9162 section 2.1.1). */
function mth(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return sha(new Uint8Array(0));
  if (hashes.length === 1) return hashes[0] as Uint8Array;
  const k = split(hashes.length);
  return nodeHash(sha, mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

/** PATH(m, D[n]) (RFC 9162 section 2.1.3.1). */
function path(m: number, hashes: readonly Uint8Array[]): Uint8Array[] {
  const n = hashes.length;
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...path(m, hashes.slice(0, k)), mth(hashes.slice(k))]
    : [...path(m - k, hashes.slice(k)), mth(hashes.slice(0, k))];
}

/** SUBPROOF(m, D[n], b) (RFC 9162 section 2.1.4.1). */
function subproof(m: number, hashes: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = hashes.length;
  if (m === n) return b ? [] : [mth(hashes)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, hashes.slice(0, k), b), mth(hashes.slice(k))]
    : [...subproof(m - k, hashes.slice(k), false), mth(hashes.slice(0, k))];
}

const leafData = (i: number): Uint8Array => new TextEncoder().encode(`leaf ${i}`);
const LEAVES = Array.from({ length: 80 }, (_, i) => leafHash(sha, leafData(i)));

/** A node lookup that computes each complete subtree naively from the leaves. */
const naiveLookup =
  (hashes: readonly Uint8Array[]) =>
  ({ level, index }: NodeId): Uint8Array => {
    const width = 2 ** level;
    const slice = hashes.slice(index * width, (index + 1) * width);
    assert.equal(slice.length, width, `node ${level}:${index} is not complete`);
    return mth(slice);
  };

const flipBit = (proof: readonly Uint8Array[], i: number): Uint8Array[] =>
  proof.map((hash, j) => (j === i ? hash.map((byte, b) => (b === 0 ? byte ^ 8 : byte)) : hash));

const validation = (fn: () => unknown) =>
  assert.throws(fn, (error: unknown) => isTrucelineError(error) && error.code === 'E_VALIDATION');

// ---- Published test vectors: transparency-dev/merkle, proof/verify_test.go (the RFC 6962 tree
// of the certificate-transparency reference tests). ----

const TV_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const TV_LEAF_HASHES = TV_LEAVES.map((leaf) => leafHash(sha, leaf));
/** roots[i] is the root of the tree of the first i + 1 leaves. */
const TV_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const TV_EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The Go table numbers leaves from 1; these are 0-based indices. */
const TV_INCLUSION: { index: number; size: number; proof: string[] }[] = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const TV_CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

describe('hashes', () => {
  it('hashes the empty tree to SHA-256 of the empty string', () => {
    assert.equal(toHex(emptyRoot(sha)), TV_EMPTY_ROOT);
    assert.equal(toHex(frontierRoot(sha, EMPTY_FRONTIER)), TV_EMPTY_ROOT);
  });

  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    const a = hex('aa');
    const b = hex('bb');
    assert.deepEqual(leafHash(sha, a), sha(hex('00aa')));
    assert.deepEqual(nodeHash(sha, a, b), sha(hex('01aabb')));
  });

  it('gives the published roots of the 8-leaf reference tree for every size', () => {
    for (let size = 1; size <= 8; size++) {
      const { frontier } = appendLeaves(sha, EMPTY_FRONTIER, TV_LEAF_HASHES.slice(0, size));
      assert.deepEqual(frontierRoot(sha, frontier), TV_ROOTS[size - 1], `size ${size}`);
      assert.deepEqual(mth(TV_LEAF_HASHES.slice(0, size)), TV_ROOTS[size - 1], `naive, size ${size}`);
    }
  });
});

describe('rangeNodes and hashRange', () => {
  it('cover every aligned range with RFC 9162 subtrees whose fold is the naive MTH', () => {
    for (let start = 0; start < 64; start++)
      for (let end = start + 1; end <= 64; end++) {
        let top = 1;
        while (top * 2 <= end - start) top *= 2;
        if (start % top !== 0) {
          validation(() => rangeNodes(start, end));
          continue;
        }
        const nodes = rangeNodes(start, end);
        let next = start;
        for (const node of nodes) {
          assert.equal(node.index * 2 ** node.level, next, `[${start}, ${end}) is contiguous`);
          next += 2 ** node.level;
        }
        assert.equal(next, end);
        assert.ok(nodes.every((node, i) => i === 0 || node.level < (nodes[i - 1]?.level ?? 0)));
        const hashes = nodes.map(naiveLookup(LEAVES));
        assert.deepEqual(hashRange(sha, hashes), mth(LEAVES.slice(start, end)), `[${start}, ${end})`);
      }
  });

  it('names the subtrees of a small example', () => {
    assert.deepEqual(rangeNodes(0, 7), [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    assert.deepEqual(rangeNodes(8, 11), [
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    assert.deepEqual(rangeNodes(5, 6), [{ level: 0, index: 5 }]);
  });

  it('refuses empty, reversed, unaligned and non-integer ranges', () => {
    validation(() => rangeNodes(3, 3));
    validation(() => rangeNodes(4, 2));
    validation(() => rangeNodes(2, 6));
    validation(() => rangeNodes(-1, 2));
    validation(() => rangeNodes(0.5, 2));
    validation(() => hashRange(sha, []));
  });
});

describe('inclusion proofs', () => {
  it('match the naive PATH and verify for every leaf of every tree up to 40 leaves', () => {
    for (let size = 1; size <= 40; size++) {
      const hashes = LEAVES.slice(0, size);
      const root = mth(hashes);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(sha, index, size, naiveLookup(hashes));
        assert.deepEqual(proof, path(index, hashes), `${index} of ${size}`);
        const leaf = hashes[index] as Uint8Array;
        assert.ok(verifyInclusion(sha, { leafHash: leaf, index, size, proof, root }), `${index} of ${size}`);
      }
    }
  });

  it('fail when the index, size, leaf, root or any proof hash is changed', () => {
    for (let size = 1; size <= 40; size++) {
      const hashes = LEAVES.slice(0, size);
      const root = mth(hashes);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(sha, index, size, naiveLookup(hashes));
        const leaf = hashes[index] as Uint8Array;
        const ok = (claim: Partial<Parameters<typeof verifyInclusion>[1]>): boolean =>
          verifyInclusion(sha, { leafHash: leaf, index, size, proof, root, ...claim });
        const at = `${index} of ${size}`;
        for (const other of [index - 1, index + 1, index ^ 2, size])
          if (other !== index) assert.equal(ok({ index: other }), false, `index ${other}, ${at}`);
        // As in transparency-dev/merkle: a size one more or less can give the same path shape (the
        // root still binds the leaves), so the probes halve and double it.
        for (const other of [size * 2, Math.floor(size / 2)])
          if (other !== size) assert.equal(ok({ size: other }), false, `size ${other}, ${at}`);
        assert.equal(ok({ leafHash: LEAVES[(index + 1) % 80] }), false, at);
        assert.equal(ok({ root: mth(LEAVES.slice(0, size + 1)) }), false, at);
        assert.equal(ok({ root: emptyRoot(sha) }), false, at);
        assert.equal(ok({ proof: [...proof, root] }), false, `trailing root, ${at}`);
        assert.equal(ok({ proof: [root, ...proof] }), false, `preceding root, ${at}`);
        assert.equal(ok({ proof: [...proof, new Uint8Array(0)] }), false, `trailing garbage, ${at}`);
        if (proof.length > 0) assert.equal(ok({ proof: proof.slice(0, -1) }), false, `removed, ${at}`);
        for (let i = 0; i < proof.length; i++)
          assert.equal(ok({ proof: flipBit(proof, i) }), false, `bit ${i}, ${at}`);
      }
    }
  });

  it('reproduce and verify the published proofs of the reference tree', () => {
    for (const vector of TV_INCLUSION) {
      const hashes = TV_LEAF_HASHES.slice(0, vector.size);
      const proof = inclusionProof(sha, vector.index, vector.size, naiveLookup(hashes));
      assert.deepEqual(proof.map(toHex), vector.proof, `${vector.index} of ${vector.size}`);
      const claim = {
        leafHash: TV_LEAF_HASHES[vector.index] as Uint8Array,
        index: vector.index,
        size: vector.size,
        proof: vector.proof.map(hex),
        root: TV_ROOTS[vector.size - 1] as Uint8Array,
      };
      assert.ok(verifyInclusion(sha, claim));
      assert.equal(verifyInclusion(sha, { ...claim, proof: flipBit(claim.proof, 0) }), false);
    }
  });

  it('verify the one-leaf tree with an empty proof, and refuse indices outside the tree', () => {
    const leaf = leafHash(sha, hex('64617461'));
    assert.ok(verifyInclusion(sha, { leafHash: leaf, index: 0, size: 1, proof: [], root: leaf }));
    assert.equal(
      verifyInclusion(sha, { leafHash: leaf, index: 0, size: 1, proof: [], root: new Uint8Array() }),
      false,
    );
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [1, 1],
      [-1, 4],
      [0.5, 4],
    ] as const)
      assert.equal(verifyInclusion(sha, { leafHash: leaf, index, size, proof: [], root: leaf }), false);
  });

  it('plans refuse leaves outside the tree', () => {
    validation(() => inclusionPlan(0, 0));
    validation(() => inclusionPlan(7, 7));
    validation(() => inclusionPlan(-1, 7));
  });
});

describe('consistency proofs', () => {
  it('match the naive SUBPROOF and verify for every 0 ≤ m ≤ n ≤ 40', () => {
    for (let n = 0; n <= 40; n++) {
      const hashes = LEAVES.slice(0, n);
      const root2 = mth(hashes);
      for (let m = 0; m <= n; m++) {
        const root1 = mth(hashes.slice(0, m));
        const proof = consistencyProof(sha, m, n, naiveLookup(hashes));
        const expected = m === 0 || m === n ? [] : subproof(m, hashes, true);
        assert.deepEqual(proof, expected, `${m} to ${n}`);
        assert.ok(verifyConsistency(sha, { size1: m, size2: n, root1, root2, proof }), `${m} to ${n}`);
      }
    }
  });

  it('fail when a size, a root or any proof hash is changed', () => {
    for (let n = 2; n <= 40; n++) {
      const hashes = LEAVES.slice(0, n);
      const root2 = mth(hashes);
      for (let m = 1; m < n; m++) {
        const root1 = mth(hashes.slice(0, m));
        const proof = consistencyProof(sha, m, n, naiveLookup(hashes));
        const ok = (claim: Partial<Parameters<typeof verifyConsistency>[1]>): boolean =>
          verifyConsistency(sha, { size1: m, size2: n, root1, root2, proof, ...claim });
        const at = `${m} to ${n}`;
        for (const other of [m - 1, m + 1, m ^ 2])
          if (other !== m) assert.equal(ok({ size1: other }), false, `size1 ${other}, ${at}`);
        for (const other of [n * 2, Math.floor(n / 2)])
          if (other !== n) assert.equal(ok({ size2: other }), false, `size2 ${other}, ${at}`);
        assert.equal(ok({ root1: root2, root2: root1 }), false, `swapped roots, ${at}`);
        assert.equal(ok({ root1: mth(hashes.slice(0, m + 1)) }), false, `wrong root1, ${at}`);
        assert.equal(ok({ root2: mth(LEAVES.slice(0, n + 1)) }), false, `wrong root2, ${at}`);
        assert.equal(ok({ proof: [] }), false, `empty proof, ${at}`);
        assert.equal(ok({ proof: proof.slice(0, -1) }), false, `truncated, ${at}`);
        assert.equal(ok({ proof: [...proof, root1] }), false, `trailing root1, ${at}`);
        assert.equal(ok({ proof: [...proof, root2] }), false, `trailing root2, ${at}`);
        assert.equal(ok({ proof: [root1, ...proof] }), false, `preceding root1, ${at}`);
        assert.equal(ok({ proof: [proof[0] as Uint8Array, ...proof] }), false, `preceding proof[0], ${at}`);
        for (let i = 0; i < proof.length; i++)
          assert.equal(ok({ proof: flipBit(proof, i) }), false, `bit ${i}, ${at}`);
      }
    }
  });

  it('reproduce and verify the published proofs of the reference tree', () => {
    for (const vector of TV_CONSISTENCY) {
      const hashes = TV_LEAF_HASHES.slice(0, vector.size2);
      const proof = consistencyProof(sha, vector.size1, vector.size2, naiveLookup(hashes));
      assert.deepEqual(proof.map(toHex), vector.proof, `${vector.size1} to ${vector.size2}`);
      const claim = {
        size1: vector.size1,
        size2: vector.size2,
        root1: TV_ROOTS[vector.size1 - 1] as Uint8Array,
        root2: TV_ROOTS[vector.size2 - 1] as Uint8Array,
        proof: vector.proof.map(hex),
      };
      assert.ok(verifyConsistency(sha, claim));
      if (claim.proof.length > 0)
        assert.equal(verifyConsistency(sha, { ...claim, proof: flipBit(claim.proof, 0) }), false);
    }
  });

  it('handle equal sizes, the empty tree and sizes that go back as RFC 9162 and its reference code do', () => {
    const a = sha(hex('01'));
    const b = sha(hex('02'));
    const empty = emptyRoot(sha);
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
      [0, 0, a, b, [], false],
      [1, 1, a, b, [], false],
      [0, 0, a, a, [], true],
      [1, 1, b, b, [], true],
      [0, 1, empty, b, [], true],
      // Stricter than transparency-dev/merkle: a tree of size 0 has the empty root and no other.
      [0, 1, a, b, [], false],
      [1, 0, a, b, [], false],
      [2, 1, a, b, [], false],
      [1, 2, a, b, [], false],
      [0, 0, empty, empty, [empty], false],
      [0, 1, empty, empty, [empty], false],
      [1, 1, empty, empty, [empty], false],
      [-1, 1, empty, empty, [], false],
    ];
    for (const [size1, size2, root1, root2, proof, want] of cases)
      assert.equal(
        verifyConsistency(sha, { size1, size2, root1, root2, proof }),
        want,
        `${size1} to ${size2}`,
      );
  });

  it('plans refuse a smaller second size', () => {
    validation(() => consistencyPlan(5, 0));
    validation(() => consistencyPlan(9, 8));
  });
});

describe('plans and node ids', () => {
  const ids = (...pairs: [number, number][]): string[] =>
    pairs.map(([level, index]) => `${level}:${index}`).sort();
  const idsOf = (nodes: readonly NodeId[]): string[] => nodes.map((n) => `${n.level}:${n.index}`).sort();

  // The node sets of transparency-dev/merkle, proof/proof_test.go (NewNodeID(level, index)).
  it('need the same stored nodes as the transparency-dev reference for inclusion', () => {
    const table: [number, number, [number, number][]][] = [
      [1, 0, []],
      [2, 0, [[0, 1]]],
      [2, 1, [[0, 0]]],
      [
        3,
        1,
        [
          [0, 0],
          [0, 2],
        ],
      ],
      [
        7,
        0,
        [
          [0, 1],
          [1, 1],
          [0, 6],
          [1, 2],
        ],
      ],
      [
        7,
        3,
        [
          [0, 2],
          [1, 0],
          [0, 6],
          [1, 2],
        ],
      ],
      [
        7,
        4,
        [
          [0, 5],
          [0, 6],
          [2, 0],
        ],
      ],
      [
        7,
        6,
        [
          [1, 2],
          [2, 0],
        ],
      ],
      [
        4,
        2,
        [
          [0, 3],
          [1, 0],
        ],
      ],
      [
        5,
        3,
        [
          [0, 2],
          [1, 0],
          [0, 4],
        ],
      ],
      [
        6,
        3,
        [
          [0, 2],
          [1, 0],
          [1, 2],
        ],
      ],
      [
        6,
        4,
        [
          [0, 5],
          [2, 0],
        ],
      ],
      [
        15,
        10,
        [
          [0, 11],
          [1, 4],
          [0, 14],
          [1, 6],
          [3, 0],
        ],
      ],
      [
        31,
        24,
        [
          [0, 25],
          [1, 13],
          [0, 30],
          [1, 14],
          [3, 2],
          [4, 0],
        ],
      ],
      [
        95,
        81,
        [
          [0, 80],
          [1, 41],
          [2, 21],
          [0, 94],
          [1, 46],
          [2, 22],
          [4, 4],
          [6, 0],
        ],
      ],
    ];
    for (const [size, index, want] of table)
      assert.deepEqual(idsOf(nodesOf(inclusionPlan(index, size))), ids(...want), `${index} of ${size}`);
  });

  it('need the same stored nodes as the transparency-dev reference for consistency', () => {
    const table: [number, number, [number, number][]][] = [
      [1, 2, [[0, 1]]],
      [
        1,
        4,
        [
          [0, 1],
          [1, 1],
        ],
      ],
      [
        1,
        6,
        [
          [0, 1],
          [1, 1],
          [1, 2],
        ],
      ],
      [2, 3, [[0, 2]]],
      [
        2,
        8,
        [
          [1, 1],
          [2, 1],
        ],
      ],
      [
        3,
        7,
        [
          [0, 2],
          [0, 3],
          [1, 0],
          [0, 6],
          [1, 2],
        ],
      ],
      [
        4,
        7,
        [
          [0, 6],
          [1, 2],
        ],
      ],
      [
        5,
        7,
        [
          [0, 4],
          [0, 5],
          [0, 6],
          [2, 0],
        ],
      ],
      [
        6,
        7,
        [
          [1, 2],
          [0, 6],
          [2, 0],
        ],
      ],
      [
        7,
        8,
        [
          [0, 6],
          [0, 7],
          [1, 2],
          [2, 0],
        ],
      ],
      [5, 5, []],
      [2, 4, [[1, 1]]],
      [
        3,
        5,
        [
          [0, 2],
          [0, 3],
          [1, 0],
          [0, 4],
        ],
      ],
      [
        3,
        6,
        [
          [0, 2],
          [0, 3],
          [1, 0],
          [1, 2],
        ],
      ],
      [4, 6, [[1, 2]]],
      [
        1,
        7,
        [
          [0, 1],
          [1, 1],
          [0, 6],
          [1, 2],
        ],
      ],
      [
        10,
        15,
        [
          [1, 4],
          [1, 5],
          [0, 14],
          [1, 6],
          [3, 0],
        ],
      ],
      [
        24,
        31,
        [
          [3, 2],
          [0, 30],
          [1, 14],
          [2, 6],
          [4, 0],
        ],
      ],
      [
        81,
        95,
        [
          [0, 80],
          [0, 81],
          [1, 41],
          [2, 21],
          [0, 94],
          [1, 46],
          [2, 22],
          [4, 4],
          [6, 0],
        ],
      ],
    ];
    for (const [size1, size2, want] of table)
      assert.deepEqual(idsOf(nodesOf(consistencyPlan(size1, size2))), ids(...want), `${size1} to ${size2}`);
  });

  it('lists each needed node once, and assembles from exactly those', () => {
    const plan = consistencyPlan(3, 7);
    const needed = nodesOf(plan);
    assert.equal(new Set(needed.map((n) => `${n.level}:${n.index}`)).size, needed.length);
    const table = new Map(needed.map((n) => [`${n.level}:${n.index}`, naiveLookup(LEAVES)(n)]));
    const proof = assembleProof(sha, plan, (n) => table.get(`${n.level}:${n.index}`));
    assert.deepEqual(proof, subproof(3, LEAVES.slice(0, 7), true));
  });

  it('reports a node missing from the lookup', () => {
    assert.throws(
      () => inclusionProof(sha, 2, 7, () => undefined),
      (error: unknown) => isTrucelineError(error) && error.code === 'E_LEDGER_AUDIT',
    );
  });

  it('work past 2^32 leaves, where 32-bit bit operations would break', () => {
    // A tree whose leaves are all the same: every complete subtree of a level has the same hash,
    // so any node of a tree of 2^45 leaves can be "looked up".
    const byLevel = [leafHash(sha, hex('ab'))];
    for (let level = 1; level <= 50; level++) {
      const below = byLevel[level - 1] as Uint8Array;
      byLevel.push(nodeHash(sha, below, below));
    }
    const lookup = (node: NodeId): Uint8Array => byLevel[node.level] as Uint8Array;
    const rootOf = (size: number): Uint8Array => hashRange(sha, frontierNodes(size).map(lookup));
    const sizes = [2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 45 - 1, 2 ** 45 + 2 ** 33 + 7];
    for (const size of sizes) {
      for (const index of [0, 2 ** 31, 2 ** 32 - 1, 2 ** 32, size - 1]) {
        const proof = inclusionProof(sha, index, size, lookup);
        const claim = { leafHash: byLevel[0] as Uint8Array, index, size, proof, root: rootOf(size) };
        assert.ok(verifyInclusion(sha, claim), `${index} of ${size}`);
        assert.equal(verifyInclusion(sha, { ...claim, size: size * 2 }), false);
        if (proof.length > 0)
          assert.equal(verifyInclusion(sha, { ...claim, proof: flipBit(proof, 0) }), false);
      }
      for (const size1 of [1, 2 ** 31 + 3, 2 ** 32, 2 ** 32 + 5, size - 1].filter((s) => s < size)) {
        const proof = consistencyProof(sha, size1, size, lookup);
        const claim = { size1, size2: size, root1: rootOf(size1), root2: rootOf(size), proof };
        assert.ok(verifyConsistency(sha, claim), `${size1} to ${size}`);
        assert.equal(verifyConsistency(sha, { ...claim, size2: size * 2 }), false);
        assert.equal(verifyConsistency(sha, { ...claim, proof: flipBit(proof, proof.length - 1) }), false);
      }
    }
  });
});

describe('MerkleFrontier', () => {
  it('gives the naive root for every size up to 70, appended one leaf at a time or all at once', () => {
    let frontier: MerkleFrontier = EMPTY_FRONTIER;
    for (let size = 0; size <= 70; size++) {
      const hashes = LEAVES.slice(0, size);
      assert.equal(frontier.size, size);
      assert.deepEqual(frontierRoot(sha, frontier), mth(hashes), `size ${size}`);
      assert.deepEqual(frontierRoot(sha, appendLeaves(sha, EMPTY_FRONTIER, hashes).frontier), mth(hashes));
      assert.deepEqual(hashRange(sha, size === 0 ? [emptyRoot(sha)] : frontier.hashes), mth(hashes));
      frontier = appendLeaves(sha, frontier, [LEAVES[size] as Uint8Array]).frontier;
    }
  });

  it('reports every completed node of level ≥ 1 exactly once, with its hash', () => {
    const seen = new Map<string, Uint8Array>();
    let frontier: MerkleFrontier = EMPTY_FRONTIER;
    for (const batch of [1, 2, 3, 1, 5, 8, 13, 21, 16]) {
      const from = frontier.size;
      const result = appendLeaves(sha, frontier, LEAVES.slice(from, from + batch));
      for (const node of result.nodes) {
        const key = `${node.level}:${node.index}`;
        assert.ok(node.level >= 1);
        assert.ok(!seen.has(key), `${key} reported twice`);
        assert.deepEqual(node.hash, naiveLookup(LEAVES)(node), key);
        seen.set(key, node.hash);
      }
      frontier = result.frontier;
    }
    const size = frontier.size;
    assert.equal(size, 70);
    const expected: string[] = [];
    for (let level = 1; 2 ** level <= size; level++)
      for (let index = 0; (index + 1) * 2 ** level <= size; index++) expected.push(`${level}:${index}`);
    assert.deepEqual([...seen.keys()].sort(), expected.sort());
  });

  it('does not change the frontier it is given', () => {
    const start = appendLeaves(sha, EMPTY_FRONTIER, LEAVES.slice(0, 5)).frontier;
    const copy = [...start.hashes];
    appendLeaves(sha, start, LEAVES.slice(5, 20));
    assert.equal(start.size, 5);
    assert.deepEqual(start.hashes, copy);
    assert.ok(Object.isFrozen(start) && Object.isFrozen(start.hashes));
  });

  it('can be rebuilt from stored nodes with frontierNodes', () => {
    for (let size = 0; size <= 70; size++) {
      const nodes = frontierNodes(size);
      assert.deepEqual(nodes, size === 0 ? [] : rangeNodes(0, size));
      const rebuilt = makeFrontier(size, nodes.map(naiveLookup(LEAVES)));
      assert.deepEqual(rebuilt, appendLeaves(sha, EMPTY_FRONTIER, LEAVES.slice(0, size)).frontier);
      const next = appendLeaves(sha, rebuilt, LEAVES.slice(size, size + 3)).frontier;
      assert.deepEqual(frontierRoot(sha, next), mth(LEAVES.slice(0, size + 3)));
    }
    assert.deepEqual(frontierNodes(6), [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
    ]);
  });

  it('refuses hashes that do not fit the size', () => {
    validation(() => makeFrontier(6, [LEAVES[0] as Uint8Array]));
    validation(() => appendLeaves(sha, { size: 3, hashes: [] }, [LEAVES[0] as Uint8Array]));
  });

  it('appends a million leaves with only the node hashes the tree needs, each returned once', () => {
    // A stand-in hash that counts its calls (the time this takes is the ledger bench's to measure:
    // bench/README.md, ledger-append).
    let calls = 0;
    const digest = new Uint8Array(32);
    const cheap: Sha256 = (data) => {
      calls += 1;
      digest[0] = data.length;
      return digest;
    };
    const leaves = Array.from({ length: 1_000_000 }, () => digest);
    const { frontier, nodes } = appendLeaves(cheap, EMPTY_FRONTIER, leaves);
    assert.equal(frontier.size, 1_000_000);
    assert.equal(calls, 999_999 - (frontier.hashes.length - 1));
    assert.equal(nodes.length, calls);
  });
});
