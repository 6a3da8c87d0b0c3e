/**
 * @module Which fields an input may carry. An action is stored whole in a ledgered record, so a field
 * no rule reads would be kept forever unchecked — any size, any depth. An input is refused when it
 * carries a field its shape does not name, at any depth.
 */
import { validationError, type FieldIssue } from '../errors.ts';

/**
 * The fields of an object: `true` for a value the decision checks itself, a shape for a nested object,
 * `[shape]` for an array of such objects.
 */
export interface FieldShape {
  readonly [field: string]: true | FieldShape | readonly [FieldShape];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An issue for each field of `value` its shape does not name, nested objects and arrays of them too. */
export function unknownFieldIssues(value: unknown, shape: FieldShape, path = ''): FieldIssue[] {
  if (!isRecord(value)) return [];
  const issues: FieldIssue[] = [];
  for (const [field, inner] of Object.entries(value)) {
    const at = path === '' ? field : `${path}.${field}`;
    const spec = Object.hasOwn(shape, field) ? shape[field] : undefined;
    if (spec === undefined) issues.push({ path: at, reason: 'is not a field of this input' });
    else if (Array.isArray(spec)) {
      const [item] = spec as readonly [FieldShape];
      if (Array.isArray(inner))
        inner.forEach((element, i) => issues.push(...unknownFieldIssues(element, item, `${at}[${i}]`)));
    } else if (spec !== true) issues.push(...unknownFieldIssues(inner, spec as FieldShape, at));
  }
  return issues;
}

/**
 * Refuses (`E_VALIDATION`, naming each field) an input whose `type` has a shape in `shapes` and that
 * carries a field that shape does not name. Inputs of other types are left to their own checks.
 */
export function refuseUnknownFields(
  input: unknown,
  shapes: Readonly<Record<string, FieldShape>>,
  what: string,
): void {
  const type = (input as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(shapes, type)) return;
  const issues = unknownFieldIssues(input, shapes[type] as FieldShape);
  if (issues.length > 0) throw validationError(`the ${type} ${what} has fields it does not take`, issues);
}
