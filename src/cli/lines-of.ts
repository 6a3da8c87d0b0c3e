/**
 * @module The lines of a file, read in 1 MiB chunks and split on `\n` (a `\r` before it dropped), each
 * decoded as UTF-8 on its own — several times cheaper per line than `readline` over a decoded stream,
 * which matters for a ledger export of millions of lines.
 */
import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** The lines of `path`, in order, without their line ends; a last line without `\n` included. */
export async function* linesOf(path: string): AsyncGenerator<string> {
  let rest: Buffer | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buffer = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    for (
      let newline = buffer.indexOf(NEWLINE, start);
      newline >= 0;
      newline = buffer.indexOf(NEWLINE, start)
    ) {
      const end = newline > start && buffer[newline - 1] === RETURN ? newline - 1 : newline;
      yield buffer.toString('utf8', start, end);
      start = newline + 1;
    }
    rest = start < buffer.length ? buffer.subarray(start) : undefined;
  }
  if (rest !== undefined) yield rest.toString('utf8');
}
