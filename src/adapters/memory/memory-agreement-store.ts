/** @module Agreement revisions in memory. */
import { notFound } from '../../core/errors.ts';
import type { AgreementRecord, AgreementStore } from '../../core/ports/agreement-store.ts';
import { compareCodePoints } from '../common/compare-code-points.ts';
import type { MemoryLedgerWriter } from './memory-ledger.ts';
import type { MemorySchema } from './memory-schema.ts';

export class MemoryAgreementStore implements AgreementStore {
  readonly #tables: MemorySchema;
  readonly #ledger: MemoryLedgerWriter;

  /** @param ledger appends every new revision to the ledger */
  constructor(tables: MemorySchema, ledger: MemoryLedgerWriter) {
    this.#tables = tables;
    this.#ledger = ledger;
  }

  register(
    input: Omit<AgreementRecord, 'revision'>,
  ): Promise<{ outcome: 'created' | 'revised' | 'unchanged'; record: AgreementRecord }> {
    const revisions = this.#tables.agreements.get(input.id) ?? [];
    const latest = revisions.at(-1);
    if (latest !== undefined && latest.contentSha256 === input.contentSha256)
      return Promise.resolve({ outcome: 'unchanged', record: latest });
    const record: AgreementRecord = Object.freeze({
      id: input.id,
      revision: (latest?.revision ?? 0) + 1,
      documentJson: input.documentJson,
      contentSha256: input.contentSha256,
      registeredAtMs: input.registeredAtMs,
    });
    this.#tables.agreements.set(input.id, [...revisions, record]);
    this.#ledger.recordRows('agreement', [JSON.stringify([record.id, record.revision])]);
    return Promise.resolve({ outcome: latest === undefined ? 'created' : 'revised', record });
  }

  find(id: string): Promise<AgreementRecord | undefined> {
    return Promise.resolve(this.#tables.agreements.get(id)?.at(-1));
  }

  async get(id: string): Promise<AgreementRecord> {
    const record = await this.find(id);
    if (record === undefined) throw notFound('agreement', id);
    return record;
  }

  latestRevision(id: string): Promise<Pick<AgreementRecord, 'revision' | 'contentSha256'> | undefined> {
    const latest = this.#tables.agreements.get(id)?.at(-1);
    return Promise.resolve(latest && { revision: latest.revision, contentSha256: latest.contentSha256 });
  }

  revisions(id: string): Promise<readonly AgreementRecord[]> {
    return Promise.resolve([...(this.#tables.agreements.get(id) ?? [])]);
  }

  list(): Promise<readonly AgreementRecord[]> {
    return Promise.resolve(
      [...this.#tables.agreements.values()]
        .map((revisions) => revisions.at(-1))
        .filter((record): record is AgreementRecord => record !== undefined)
        .sort((a, b) => compareCodePoints(a.id, b.id)),
    );
  }
}
