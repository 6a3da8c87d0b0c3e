/** @module `truceline agreement validate FILE`: every problem of an agreement file, one line each. */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { agreementVersions } from '../../core/agreement/agreement-versions.ts';
import { parseAgreement, type AgreementFormat } from '../../core/agreement/parse-agreement.ts';
import { AGREEMENT_LIMITS } from '../../core/agreement/schema.ts';
import { readUtf8File } from '../read-utf8.ts';

/** Where the command writes: each call is one line, ending in a line break. */
export interface ValidateOutput {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const FORMATS: Readonly<Record<string, AgreementFormat>> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
};

/** The largest file read, in bytes: the text limit in UTF-8 at worst. */
const MAX_FILE_BYTES = AGREEMENT_LIMITS.maxTextLength * 3;

/**
 * Checks an agreement file and prints one line `path: reason` per problem on stdout, then a count.
 * Returns the exit code: 0 when there is no problem, 1 when there is any or the file cannot be read
 * (said on stderr). The format follows the extension: .yaml, .yml or .json.
 *
 * @example
 * const code = await agreementValidate('data/agreements/donbas-2015.yaml', { stdout: print, stderr: print });
 */
export async function agreementValidate(file: string, out: ValidateOutput): Promise<number> {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) {
    out.stderr(`${file}: cannot tell the format: the file name must end in .yaml, .yml or .json\n`);
    return 1;
  }
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      out.stderr(`${file}: cannot read it: not a file\n`);
      return 1;
    }
    if (info.size > MAX_FILE_BYTES) {
      out.stderr(
        `${file}: cannot read it: ${info.size} bytes is more than an agreement may have (${MAX_FILE_BYTES})\n`,
      );
      return 1;
    }
    text = await readUtf8File(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    out.stderr(`${file}: cannot read it: ${reason}\n`);
    return 1;
  }

  const { agreement, issues } = parseAgreement(text, format);
  for (const issue of issues) out.stdout(`${issue.path}: ${issue.reason}\n`);
  if (agreement === undefined || issues.length > 0) {
    out.stdout(`${issues.length} ${issues.length === 1 ? 'problem' : 'problems'} in ${file}\n`);
    return 1;
  }
  const versions = agreementVersions(agreement);
  out.stdout(
    `no problems in ${file}: agreement ${agreement.id}, ${versions.length} ${versions.length === 1 ? 'version' : 'versions'} (${versions.map((v) => v.version).join(', ')})\n`,
  );
  return 0;
}
