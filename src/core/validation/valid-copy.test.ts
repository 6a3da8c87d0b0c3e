import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { validCopier } from './valid-copy.ts';

const band = z
  .strictObject({ min: z.number().min(0), max: z.number().gt(0).lte(200) })
  .refine((b) => b.max > b.min, { error: 'max must be greater than min', path: ['max'] });

const schema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('a'),
    id: z
      .string()
      .min(1)
      .max(4)
      .regex(/^[a-z]+$/),
    count: z.number().int().min(1).optional(),
    band: band.optional(),
    tags: z
      .array(z.enum(['x', 'y']))
      .max(2)
      .optional(),
  }),
  z.strictObject({
    kind: z.literal('b'),
    at: z.string().superRefine((value, ctx) => {
      if (!value.endsWith('Z')) ctx.addIssue({ code: 'custom', message: 'must end in Z' });
    }),
  }),
]);

const copy = validCopier(schema);

/** What the copier says must be what zod says: the same acceptance, and the same content when accepted. */
function agrees(value: unknown): unknown {
  const copied = copy(value);
  const parsed = schema.safeParse(value);
  if (copied !== undefined) {
    assert.ok(parsed.success, `the copier accepted what zod refuses: ${JSON.stringify(value)}`);
    assert.deepEqual(copied, parsed.data);
  }
  return copied;
}

test('the copier accepts what the schema accepts, copied with its keys in sorted order', () => {
  const input = { tags: ['y', 'x'], kind: 'a', id: 'ab', count: 3, band: { max: 5, min: 0 } };
  const copied = agrees(input);
  assert.equal(
    JSON.stringify(copied),
    '{"band":{"max":5,"min":0},"count":3,"id":"ab","kind":"a","tags":["y","x"]}',
  );
  assert.notEqual(copied, input);
  assert.notEqual((copied as { tags: unknown }).tags, input.tags);
  assert.equal(JSON.stringify(agrees({ kind: 'b', at: '12Z' })), '{"at":"12Z","kind":"b"}');
});

test("the copier refuses whatever breaks one of the schema's constraints, each kind of check on its own", () => {
  const good = { kind: 'a', id: 'ab' };
  const broken: Record<string, unknown>[] = [
    { ...good, id: '' }, // min_length
    { ...good, id: 'abcde' }, // max_length
    { ...good, id: 'A1' }, // regex
    { ...good, id: 7 }, // type
    { ...good, count: 1.5 }, // int
    { ...good, count: 0 }, // inclusive lower bound
    { ...good, count: Infinity }, // not finite
    { ...good, count: Number.NaN },
    { ...good, band: { min: 0, max: 0 } }, // exclusive lower bound
    { ...good, band: { min: 0, max: 201 } }, // inclusive upper bound
    { ...good, band: { min: 5, max: 4 } }, // the object's refinement
    { ...good, band: { min: 0 } }, // a required key missing
    { ...good, band: { min: 0, max: 5, extra: 1 } }, // strict
    { ...good, tags: ['x', 'z'] }, // enum
    { ...good, tags: ['x', 'x', 'y'] }, // array max_length
    { ...good, tags: 'x' }, // not an array
    { ...good, other: 1 }, // strict at the root
    { kind: 'c', id: 'ab' }, // no such option
    { kind: 'b', at: '12' }, // a superRefine
    { id: 'ab' }, // no discriminator
  ];
  for (const value of broken) {
    assert.equal(agrees(value), undefined, JSON.stringify(value));
    assert.equal(schema.safeParse(value).success, false, JSON.stringify(value));
  }
  assert.equal(agrees(null), undefined);
  assert.equal(agrees([good]), undefined);
  assert.equal(agrees('a'), undefined);
});

test('the copier leaves to zod what JSON does not produce: a key present but undefined, a key inherited', () => {
  assert.equal(copy({ kind: 'a', id: 'ab', count: undefined }), undefined);
  const inherited = Object.create({ extra: 1 }) as Record<string, unknown>;
  Object.assign(inherited, { kind: 'a', id: 'ab' });
  assert.equal(agrees(inherited), undefined);
});

test("a check the copier does not know is run by zod's own code, so it is never skipped", () => {
  const withGlobal = z.string().regex(/^a+$/g);
  const copyGlobal = validCopier(withGlobal);
  for (let i = 0; i < 3; i++) assert.equal(copyGlobal('aaa'), 'aaa');
  assert.equal(copyGlobal('ab'), undefined);
  const email = validCopier(z.strictObject({ to: z.email() }));
  assert.deepEqual(email({ to: 'monitor@example.org' }), { to: 'monitor@example.org' });
  assert.equal(email({ to: 'not an address' }), undefined);
});

test('lengths of strings are counted in code points, as zod counts them; of arrays, in items', () => {
  const pair = validCopier(z.string().min(2).max(2));
  assert.equal(pair('𐀀𐀀'), '𐀀𐀀'); // 4 UTF-16 units, 2 code points
  assert.equal(pair('a𐀀'), 'a𐀀');
  assert.equal(pair('𐀀'), undefined); // 2 units, 1 code point
  assert.equal(pair('\ud800\ud800'), '\ud800\ud800'); // unpaired surrogates count one each
  assert.equal(pair('𐀀𐀀𐀀'), undefined);
  const two = validCopier(z.array(z.number()).min(2).max(2));
  assert.deepEqual(two([1, 2]), [1, 2]);
  assert.equal(two([1]), undefined);
  assert.equal(two([1, 2, 3]), undefined);
});

test('a custom check that reassigns the value leaves the value to zod, which gives back the new one', () => {
  const shout = z.string().check((ctx) => {
    ctx.value = ctx.value.toUpperCase();
  });
  const copyShout = validCopier(shout);
  assert.equal(copyShout('abc'), undefined);
  assert.equal(shout.parse('abc'), 'ABC');
  assert.equal(copyShout('ABC'), 'ABC');
});

test('enums and literals allow what zod allows: the numbers of a numeric enum, not their names; no NaN', () => {
  enum Level {
    Low = 1,
    High = 2,
  }
  const level = z.enum(Level);
  const copyLevel = validCopier(level);
  assert.equal(copyLevel(1), 1);
  assert.equal(copyLevel(Level.High), 2);
  assert.equal(copyLevel('Low'), undefined);
  assert.equal(level.safeParse('Low').success, false);
  const nan = validCopier(z.literal(Number.NaN));
  assert.equal(nan(Number.NaN), undefined);
});

test('a schema built from constructs the copier does not know fails when the copier is made, naming where', () => {
  assert.throws(() => validCopier(z.object({ a: z.string() })), /\(root\): only strict objects/);
  assert.throws(() => validCopier(z.looseObject({ a: z.string() })), /only strict objects/);
  assert.throws(
    () => validCopier(z.strictObject({ a: z.union([z.string(), z.number()]) })),
    /\(root\)\.a: only discriminated unions/,
  );
  assert.throws(
    () => validCopier(z.strictObject({ a: z.boolean() })),
    /\(root\)\.a: no fast path for a zod "boolean"/,
  );
  assert.throws(() => validCopier(z.string().optional()), /no fast path for a zod "optional"/);
  assert.throws(
    () => validCopier(z.strictObject({ 10: z.string() })),
    /\(root\)\.10: a plain object cannot hold/,
  );
  // Checks the copier cannot mirror: they rewrite the value, or sit on an optional wrapper.
  assert.throws(
    () => validCopier(z.strictObject({ a: z.string().trim().min(1) })),
    /\(root\)\.a: .*rewrites the value/,
  );
  assert.throws(() => validCopier(z.string().toLowerCase()), /rewrites the value/);
  assert.throws(
    () =>
      validCopier(
        z.strictObject({
          a: z
            .string()
            .optional()
            .refine((v) => v !== 'bad'),
        }),
      ),
    /\(root\)\.a: no fast path for checks on an optional field/,
  );
});
