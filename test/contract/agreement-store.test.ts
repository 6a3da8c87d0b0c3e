/** Contract of the AgreementStore port, on every engine: created, unchanged, revised; revisions kept. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AgreementRecord } from '../../src/core/ports/agreement-store.ts';
import { sha256Hex } from '../helpers/observation-factory.ts';
import { describeEachEngine } from './engines.ts';

const document = (id: string, version: number) => {
  const documentJson = JSON.stringify({ id, version, parties: ['ua', 'ru'] });
  return { id, documentJson, contentSha256: sha256Hex(documentJson) };
};

describeEachEngine('AgreementStore', (engine) => {
  it('creates, leaves unchanged, and revises, keeping every revision', async () => {
    const store = await engine.open();
    const v1 = { ...document('donbas-2015', 1), registeredAtMs: 1000 };
    const created = await store.agreements.register(v1);
    const first: AgreementRecord = { ...v1, revision: 1 };
    assert.deepEqual(created, { outcome: 'created', record: first });

    const again = await store.agreements.register({ ...v1, registeredAtMs: 2000 });
    assert.deepEqual(again, { outcome: 'unchanged', record: first });
    assert.deepEqual(await store.agreements.latestRevision('donbas-2015'), {
      revision: 1,
      contentSha256: v1.contentSha256,
    });

    const v2 = { ...document('donbas-2015', 2), registeredAtMs: 3000 };
    const revised = await store.agreements.register(v2);
    assert.deepEqual(revised, { outcome: 'revised', record: { ...v2, revision: 2 } });

    // Going back to the first text is a change from the latest: a third revision.
    const back = await store.agreements.register({ ...v1, registeredAtMs: 4000 });
    assert.deepEqual(back, { outcome: 'revised', record: { ...v1, registeredAtMs: 4000, revision: 3 } });

    assert.deepEqual(
      (await store.agreements.revisions('donbas-2015')).map((r) => [r.revision, r.registeredAtMs]),
      [
        [1, 1000],
        [2, 3000],
        [3, 4000],
      ],
    );
    assert.deepEqual(await store.agreements.latestRevision('donbas-2015'), {
      revision: 3,
      contentSha256: v1.contentSha256,
    });
    assert.deepEqual(await store.agreements.find('donbas-2015'), back.record);
    assert.deepEqual(await store.agreements.get('donbas-2015'), back.record);
  });

  it('answers an unknown agreement with undefined, E_NOT_FOUND and no revisions', async () => {
    const store = await engine.open();
    assert.equal(await store.agreements.find('none'), undefined);
    await assert.rejects(store.agreements.get('none'), { code: 'E_NOT_FOUND' });
    assert.deepEqual(await store.agreements.revisions('none'), []);
    assert.equal(await store.agreements.latestRevision('none'), undefined);
  });

  it('lists the latest revision of every agreement, ordered by id', async () => {
    const store = await engine.open();
    await store.agreements.register({ ...document('paris-2026', 1), registeredAtMs: 1 });
    await store.agreements.register({ ...document('donbas-2015', 1), registeredAtMs: 2 });
    await store.agreements.register({ ...document('paris-2026', 2), registeredAtMs: 3 });
    assert.deepEqual(
      (await store.agreements.list()).map((r) => [r.id, r.revision]),
      [
        ['donbas-2015', 1],
        ['paris-2026', 2],
      ],
    );
  });

  it('gives concurrent registrations of one agreement distinct revisions', async () => {
    const store = await engine.open();
    const results = await Promise.all(
      [1, 2, 3, 4].map((v) => store.agreements.register({ ...document('contested', v), registeredAtMs: v })),
    );
    assert.deepEqual(results.map((r) => r.record.revision).sort(), [1, 2, 3, 4]);
    assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
    assert.equal((await store.agreements.revisions('contested')).length, 4);
  });
});
