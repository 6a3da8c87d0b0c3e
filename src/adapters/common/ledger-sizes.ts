/** @module The checks of a proof request's sizes, as every store makes them. */
import { validationError } from '../../core/errors.ts';

/** Checks a proof's sizes: whole numbers, in order, within the log. */
export function checkedSizes(names: readonly string[], values: readonly number[], size: number): void {
  const issues = names.flatMap((name, i) => {
    const value = values[i] ?? Number.NaN;
    if (!Number.isSafeInteger(value) || value < 0)
      return [{ path: name, reason: 'must be a whole number ≥ 0' }];
    return [];
  });
  if (issues.length > 0) throw validationError('the proof request is invalid', issues);
  for (let i = 1; i < values.length; i += 1)
    if ((values[i - 1] ?? 0) > (values[i] ?? 0))
      throw validationError('the proof request is invalid', [
        { path: names[i - 1] ?? '', reason: `must not exceed ${names[i] ?? ''} (${values[i] ?? 0})` },
      ]);
  const last = values[values.length - 1] ?? 0;
  if (last > size)
    throw validationError('the proof request is invalid', [
      { path: names[names.length - 1] ?? '', reason: `must not exceed the log's size, ${size}` },
    ]);
}
