import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { withStatementCache } from './statement-cache.ts';

const fresh = (): Database.Database => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (n INTEGER)');
  for (let n = 1; n <= 5; n++) db.prepare('INSERT INTO t VALUES (?)').run(n);
  return db;
};

test('the same SQL text is prepared once and answers each call with its own parameters', () => {
  const db = fresh();
  const cached = withStatementCache(db);
  const sql = 'SELECT n FROM t WHERE n > ? ORDER BY n';
  const first = cached.prepare(sql);
  assert.deepEqual(first.all([3]), [{ n: 4 }, { n: 5 }]);
  const again = cached.prepare(sql);
  assert.equal(again, first);
  assert.deepEqual(again.all([4]), [{ n: 5 }]);
  cached.close();
  assert.equal(db.open, false);
});

test('a statement still being iterated is not handed out again', () => {
  const cached = withStatementCache(fresh());
  const sql = 'SELECT n FROM t ORDER BY n';
  const iterating = cached.prepare(sql);
  const rows = iterating.iterate([]);
  assert.deepEqual(rows.next().value, { n: 1 });
  const other = cached.prepare(sql);
  assert.notEqual(other, iterating);
  assert.equal(other.all([]).length, 5);
  assert.deepEqual(rows.next().value, { n: 2 });
  rows.return?.();
  cached.close();
});

test('past its bound, the least recently used statement is dropped', () => {
  const cached = withStatementCache(fresh(), 2);
  const a = cached.prepare('SELECT 1 AS x');
  const b = cached.prepare('SELECT 2 AS x');
  assert.equal(cached.prepare('SELECT 1 AS x'), a, 'a is now the most recently used');
  cached.prepare('SELECT 3 AS x');
  assert.equal(cached.prepare('SELECT 1 AS x'), a, 'a stays');
  assert.notEqual(cached.prepare('SELECT 2 AS x'), b, 'b was the least recently used');
  cached.close();
});
