/**
 * @module Reads an agreement document (YAML or JSON) and reports every problem in it at once — syntax,
 * fields, geometry, references between sections, amendments — each with the path of the field and the
 * reason.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { FieldIssue } from '../errors.ts';
import { fieldIssues } from '../validation/field-issues.ts';
import { buildVersions } from './build-versions.ts';
import { draftAgreement } from './draft-agreement.ts';
import { AGREEMENT_LIMITS, agreementSchema, type Agreement } from './schema.ts';

/** What `parseAgreement` returns: the agreement when there is no problem, and every problem found. */
export interface ParsedAgreement {
  readonly agreement: Agreement | undefined;
  readonly issues: FieldIssue[];
}

/** The formats an agreement document comes in. */
export type AgreementFormat = 'yaml' | 'json';

/** At most this many syntax errors are reported: after the first few, the rest are mostly echoes. */
const MAX_SYNTAX_ISSUES = 20;

function readText(text: string, format: AgreementFormat): { value: unknown; issues: FieldIssue[] } {
  if (format === 'json') {
    try {
      return { value: JSON.parse(text) as unknown, issues: [] };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return {
        value: undefined,
        issues: [{ path: '(root)', reason: `is not valid JSON: ${message ?? ''}` }],
      };
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    const issues = document.errors.slice(0, MAX_SYNTAX_ISSUES).map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: '(root)', reason: `is not valid YAML: ${error.message} (line ${line}, column ${col})` };
    });
    if (document.errors.length > MAX_SYNTAX_ISSUES)
      issues.push({
        path: '(root)',
        reason: `and ${document.errors.length - MAX_SYNTAX_ISSUES} more YAML errors`,
      });
    return { value: undefined, issues };
  }
  try {
    return { value: document.toJS({ maxAliasCount: 100 }) as unknown, issues: [] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { value: undefined, issues: [{ path: '(root)', reason: `is not valid YAML: ${message}` }] };
  }
}

/**
 * Parses and checks an agreement document. Returns the agreement (defaults filled in) only when there is
 * no problem; `issues` lists every problem found, schema problems first, then those that span fields.
 *
 * @example
 * const { agreement, issues } = parseAgreement(text, 'yaml');
 * for (const issue of issues) console.log(`${issue.path}: ${issue.reason}`);
 */
export function parseAgreement(text: string, format: AgreementFormat): ParsedAgreement {
  if (text.length > AGREEMENT_LIMITS.maxTextLength)
    return {
      agreement: undefined,
      issues: [
        {
          path: '(root)',
          reason: `is ${text.length} characters long; an agreement may have at most ${AGREEMENT_LIMITS.maxTextLength}`,
        },
      ],
    };
  const read = readText(text, format);
  if (read.issues.length > 0) return { agreement: undefined, issues: read.issues };

  const parsed = agreementSchema.safeParse(read.value, { reportInput: true });
  const issues = parsed.success ? [] : fieldIssues(parsed.error);
  const seen = new Set(issues.map((issue) => `${issue.path}\u0000${issue.reason}`));
  const { issues: semantic } = buildVersions(draftAgreement(read.value), { check: true });
  for (const issue of semantic) if (!seen.has(`${issue.path}\u0000${issue.reason}`)) issues.push(issue);
  return { agreement: parsed.success && issues.length === 0 ? parsed.data : undefined, issues };
}
