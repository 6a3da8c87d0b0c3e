/** @module When ingest's commits were made: the same SQL on SQLite and PostgreSQL. */
import { sql, type QueryExecutorProvider } from 'kysely';
import type { ObservationCommitTime } from '../../core/ports/observation-store.ts';
import { checkedPage } from './checked-query.ts';

/** `ObservationStore.listCommitTimes` over the `observation_commits` table. */
export async function readCommitTimes(
  db: QueryExecutorProvider,
  afterSeq: number,
  limit: number,
): Promise<ObservationCommitTime[]> {
  const page = checkedPage(afterSeq, limit);
  const result = await sql<{ last_seq: number; committed_at: number | null }>`SELECT last_seq, committed_at
    FROM observation_commits WHERE last_seq > ${page.after} ORDER BY last_seq LIMIT ${page.limit}`.execute(
    db,
  );
  return result.rows.map((row) => ({ lastSeq: row.last_seq, committedAtMs: row.committed_at }));
}
