import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.ts';

/** A step the test ends when it wants: the store's sync after a commit. */
function step(): { wait: () => Promise<void>; calls: number; end: (error?: Error) => void } {
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const control = {
    calls: 0,
    wait: () => {
      control.calls += 1;
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    end: (error?: Error) => {
      const next = waiting.shift();
      assert.ok(next, 'the step was waited for');
      if (error === undefined) next.resolve();
      else next.reject(error);
    },
  };
  return control;
}

/** A group commit that cannot commit input 2 (nor any group of several), with a step after commits. */
function failingOnTwo(): { sync: ReturnType<typeof step>; group: GroupCommit<number, number> } {
  const sync = step();
  const group = new GroupCommit<number, number>(
    (inputs) => {
      if (inputs.length > 1 || inputs[0] === 2) throw new Error(`cannot commit ${inputs.join(', ')}`);
      return inputs;
    },
    64,
    undefined,
    sync.wait,
  );
  return { sync, group };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a group is answered only once the step after its commit has ended', async () => {
  const committed: number[][] = [];
  const sync = step();
  const group = new GroupCommit<number, string>(
    (inputs) => {
      committed.push([...inputs]);
      return inputs.map((n) => `stored ${n}`);
    },
    64,
    undefined,
    sync.wait,
  );
  let answered = 0;
  const answers = [1, 2, 3].map((n) =>
    group.submit(n).then((output) => {
      answered += 1;
      return output;
    }),
  );
  await turn();
  assert.deepEqual(committed, [[1, 2, 3]]);
  assert.equal(sync.calls, 1);
  assert.equal(answered, 0, 'nothing is acknowledged before the sync');
  sync.end();
  assert.deepEqual(await Promise.all(answers), ['stored 1', 'stored 2', 'stored 3']);
  await group.close();
});

test('when the step after a commit fails, every input of the group fails and none is committed again', async () => {
  let commits = 0;
  const sync = step();
  const group = new GroupCommit<number, number>(
    (inputs) => {
      commits += 1;
      return inputs;
    },
    64,
    undefined,
    sync.wait,
  );
  const answers = [group.submit(1), group.submit(2)];
  await turn();
  sync.end(new Error('EIO'));
  for (const answer of answers) await assert.rejects(answer, /EIO/);
  assert.equal(commits, 1);
  await group.close();
});

test('a group that fails is committed input by input, and those committed wait for the step once', async () => {
  const { sync, group } = failingOnTwo();
  const [one, two, three] = [group.submit(1), group.submit(2), group.submit(3)];
  await turn();
  await turn();
  assert.equal(sync.calls, 1);
  sync.end();
  assert.equal(await one, 1);
  await assert.rejects(two, /cannot commit 2/);
  assert.equal(await three, 3);
  await group.close();
});

test('when the step fails after a group committed input by input, those not committed keep their own reason', async () => {
  const { sync, group } = failingOnTwo();
  const answers = [group.submit(1), group.submit(2), group.submit(3)];
  await turn();
  await turn();
  sync.end(new Error('EIO'));
  await assert.rejects(answers[0] as Promise<number>, /EIO/);
  await assert.rejects(answers[1] as Promise<number>, /cannot commit 2/);
  await assert.rejects(answers[2] as Promise<number>, /EIO/);
  await group.close();
});
