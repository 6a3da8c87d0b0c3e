/**
 * @module The ledgered tables and the canonical record of a row (docs/ledger-format.md): which tables
 * the ledger covers, each one's key columns (the only columns outside the record) and the type of every
 * other column, and the one encoding of a row as text that a leaf commits to. SQLite and PostgreSQL
 * return the same values in different shapes (0/1 or booleans, numbers or bigints, Buffers); the
 * encoding erases the difference, so both engines commit to the same text for the same row.
 */

/** How a column's value is written in the record. */
export type ColumnKind = 'int' | 'real' | 'text' | 'blob' | 'bool';

/**
 * A column added to a ledgered table after its first rows were ledgered: left out of the record while
 * it is NULL, so that the records of the rows written before it keep their text (and their leaves).
 */
export interface AddedColumn {
  readonly kind: ColumnKind;
  readonly addedLater: true;
}

/** Declares a column added by a later migration (see {@link AddedColumn}). */
export const addedLater = (kind: ColumnKind): AddedColumn => ({ kind, addedLater: true });

export interface LedgeredTable {
  /** The leaf's record type. */
  readonly type: string;
  readonly table: string;
  /** The key columns, in order: outside the record, they tie the leaf to its row. */
  readonly key: readonly { readonly name: string; readonly kind: 'int' | 'text' }[];
  /**
   * Every other column, sorted by name (code-point order): the record's fields in order, each with its
   * name as the record writes it (`"name":`), and whether it was added later (left out while NULL).
   */
  readonly columns: readonly {
    readonly name: string;
    readonly kind: ColumnKind;
    readonly quotedName: string;
    readonly addedLater: boolean;
  }[];
  /** Rows change in place (a key revoked, a submission flagged): each change is a new leaf. */
  readonly mutable: boolean;
}

/** A ledgered table's spec: its record type, table, key columns and every other column's kind. */
export const ledgeredTableSpec = (
  type: string,
  name: string,
  key: Record<string, 'int' | 'text'>,
  columns: Record<string, ColumnKind | AddedColumn>,
  mutable = false,
): LedgeredTable =>
  Object.freeze({
    type,
    table: name,
    key: Object.freeze(Object.entries(key).map(([column, kind]) => Object.freeze({ name: column, kind }))),
    columns: Object.freeze(
      Object.keys(columns)
        .sort(compareNames)
        .map((column) => {
          const declared = columns[column] as ColumnKind | AddedColumn;
          return Object.freeze({
            name: column,
            kind: typeof declared === 'string' ? declared : declared.kind,
            quotedName: `${JSON.stringify(column)}:`,
            addedLater: typeof declared !== 'string',
          });
        }),
    ),
    mutable,
  });

const table = ledgeredTableSpec;

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MARKING = { tlp: 'text', releasable_to: 'text' } as const;

/**
 * Every ledgered table. Not ledgered: derived tables (event and violation heads, sensor statuses — each
 * rebuilt from ledgered rows), credentials (password hashes, token hashes, sessions), the record of
 * reads, and the wall times of commits (`observation_commits`: when this server stored what, for
 * latency; the parties check what was stored, not when this clock said it was). Adding a table here
 * needs a migration that ledgers its existing rows; adding a column to a table here, a migration that
 * leaves it NULL in existing rows and its declaration as `addedLater`.
 */
export const LEDGERED_TABLES: readonly LedgeredTable[] = Object.freeze([
  table(
    'observation',
    'observations',
    { seq: 'int' },
    {
      source_id: 'text',
      record_id: 'text',
      kind: 'text',
      observed_at: 'int',
      time_uncertainty_ms: 'real',
      received_at: 'int',
      lat: 'real',
      lon: 'real',
      ce_m: 'real',
      weapon_class: 'text',
      batch_id: 'text',
      content_sha256: 'text',
      content: 'text',
      ...MARKING,
    },
  ),
  table(
    'quarantine',
    'quarantine',
    { id: 'int' },
    {
      received_at: 'int',
      origin: 'text',
      position: 'int',
      source_id: 'text',
      record_id: 'text',
      field: 'text',
      reason: 'text',
      sha256: 'text',
      size_bytes: 'int',
      head: 'blob',
      head_kept: 'bool',
    },
  ),
  table(
    'submission',
    'submissions',
    { source_id: 'text', batch_id: 'text' },
    {
      key_id: 'text',
      signed_at: 'int',
      received_at: 'int',
      method: 'text',
      target: 'text',
      content_type: 'text',
      content_digest: 'text',
      signature_input: 'text',
      signature: 'text',
      body: 'blob',
      body_encoding: 'text',
      flagged_at: 'int',
      flag_reason: 'text',
    },
    true,
  ),
  table(
    'source',
    'sources',
    { id: 'text' },
    {
      kind: 'text',
      organisation: 'text',
      name: 'text',
      lat: 'real',
      lon: 'real',
      altitude_m: 'real',
      orientation_deg: 'real',
      capabilities: 'text',
      keys: 'text',
      registered_at: 'int',
      ...MARKING,
    },
    true,
  ),
  table(
    'agreement',
    'agreements',
    { id: 'text', revision: 'int' },
    { document_json: 'text', content_sha256: 'text', registered_at: 'int' },
  ),
  table(
    'event-revision',
    'event_revisions',
    { seq: 'int' },
    {
      id: 'text',
      revision: 'int',
      type: 'text',
      time_ms: 'real',
      lat: 'real',
      lon: 'real',
      committed_at: 'int',
      value: 'text',
      ...MARKING,
    },
  ),
  table(
    'violation-revision',
    'violation_revisions',
    { seq: 'int' },
    {
      id: 'text',
      revision: 'int',
      event_id: 'text',
      event_type: 'text',
      time_ms: 'real',
      lat: 'real',
      lon: 'real',
      party: 'text',
      clause: 'text',
      committed_at: 'int',
      value: 'text',
      ...MARKING,
    },
  ),
  table('organisation', 'organisations', { id: 'text' }, { kind: 'text', name: 'text', created_at: 'int' }),
  table(
    'user',
    'users',
    { id: 'text' },
    {
      name: 'text',
      org_id: 'text',
      role: 'text',
      oidc_identity: 'text',
      created_at: 'int',
      disabled_at: 'int',
    },
    true,
  ),
  table(
    'verification-step',
    'verification_actions',
    { seq: 'int' },
    { item_id: 'text', version: 'int', type: 'text', at: 'int', by_user: 'text', action: 'text' },
  ),
  table(
    'case-action',
    'case_actions',
    { seq: 'int' },
    { case_id: 'text', version: 'int', type: 'text', at: 'int', by_user: 'text', action: 'text' },
  ),
  table(
    'access-policy',
    'access_policies',
    { version: 'int' },
    { document_json: 'text', content_sha256: 'text', recorded_at: 'int' },
  ),
  table(
    'attachment',
    'attachments',
    { sha256: 'text' },
    {
      size_bytes: 'int',
      media_type: 'text',
      stored_at: 'int',
      stored_by: 'text',
      ...MARKING,
    },
  ),
]);

const BY_TYPE = new Map(LEDGERED_TABLES.map((t) => [t.type, t]));
const BY_TABLE = new Map(LEDGERED_TABLES.map((t) => [t.table, t]));

/** The ledgered table of a record type; throws for a type the ledger does not know. */
export function ledgeredTable(type: string): LedgeredTable {
  const found = BY_TYPE.get(type);
  if (found === undefined) throw new Error(`no ledgered table has the record type ${JSON.stringify(type)}`);
  return found;
}

/** The ledgered table named `name`; throws for a table the ledger does not cover. */
export function ledgeredTableNamed(name: string): LedgeredTable {
  const found = BY_TABLE.get(name);
  if (found === undefined) throw new Error(`the table ${name} is not ledgered`);
  return found;
}

/** A row as a driver returns it: column name to value. */
export type RawRow = Readonly<Record<string, unknown>>;

/** A row's key as the ledger stores it: the one key value, or the values as JSON text for a composite. */
export type RowKey = number | string;

/** The ledger's form of a row's key. */
export function rowKeyOf(spec: LedgeredTable, row: RawRow): RowKey {
  if (spec.key.length === 1) {
    const [only] = spec.key;
    return keyValue(spec, only?.name ?? '', only?.kind ?? 'text', row);
  }
  return JSON.stringify(spec.key.map((column) => keyValue(spec, column.name, column.kind, row)));
}

function keyValue(spec: LedgeredTable, name: string, kind: 'int' | 'text', row: RawRow): number | string {
  const value = row[name];
  if (kind === 'int') {
    const number = typeof value === 'bigint' ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
  } else if (typeof value === 'string') return value;
  throw new Error(`${spec.table}.${name}: the key is ${String(value)}, not a ${kind}`);
}

/** The key columns' values of a row key, in the table's key order. */
export function keyValues(spec: LedgeredTable, key: RowKey): readonly (number | string)[] {
  if (spec.key.length === 1) return [key];
  return JSON.parse(String(key)) as (number | string)[];
}

/** How a row key reads in messages: `observations seq 42`, `agreements (id, revision) ["x", 2]`. */
export function describeRow(spec: LedgeredTable, key: RowKey): string {
  const names = spec.key.map((column) => column.name);
  return names.length === 1
    ? `${spec.table} ${names[0] ?? ''} ${JSON.stringify(key)}`
    : `${spec.table} (${names.join(', ')}) ${String(key)}`;
}

/**
 * The canonical record of a row: a JSON object of every column except the key, in the order of
 * `spec.columns`, each value written by its kind — integers and reals as JSON numbers (shortest
 * round-trip form, `-0` as `0`), text as JSON strings, blobs as base64 strings, booleans as `true` or
 * `false`, SQL NULL as `null` — except a column added later while it is NULL, which is left out.
 * Throws, naming the column, for a value its kind cannot hold.
 */
export function canonicalRecord(spec: LedgeredTable, row: RawRow): string {
  let text = '';
  for (const column of spec.columns) {
    const value = row[column.name];
    if (value === undefined) throw new Error(`${spec.table}.${column.name}: missing from the row`);
    if (value === null && column.addedLater) continue;
    text +=
      (text === '' ? '{' : ',') + column.quotedName + encodeValue(spec, column.name, column.kind, value);
  }
  return text === '' ? '{}' : `${text}}`;
}

function encodeValue(spec: LedgeredTable, name: string, kind: ColumnKind, value: unknown): string {
  if (value === null) return 'null';
  switch (kind) {
    case 'int': {
      const number = typeof value === 'bigint' ? Number(value) : value;
      if (typeof number === 'number' && Number.isSafeInteger(number)) return String(number);
      break;
    }
    case 'real':
      if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
      break;
    case 'text':
      if (typeof value === 'string') return JSON.stringify(value);
      break;
    case 'blob':
      if (value instanceof Uint8Array)
        return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
      break;
    case 'bool':
      if (value === true || value === 1) return 'true';
      if (value === false || value === 0) return 'false';
      break;
  }
  throw new Error(`${spec.table}.${name}: a ${typeof value} is not a ${kind}`);
}
