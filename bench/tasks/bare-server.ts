/**
 * @module The HTTP limit: a bare Fastify route at the same path with the same body limit, which
 * takes the body as text, parses every NDJSON line (or the JSON array), and answers 200 — no
 * validation, no store. It runs in a process of its own, hit by the same client as the application.
 */
import Fastify from 'fastify';
import { peakRssMb } from '../lib/child.ts';
import type { TaskControl } from './task.ts';

export interface BareServerArgs {
  readonly bodyLimitBytes: number;
}

export async function run(args: unknown, control: TaskControl): Promise<unknown> {
  const { bodyLimitBytes } = args as BareServerArgs;
  const app = Fastify({ logger: false, bodyLimit: bodyLimitBytes });
  for (const type of ['application/json', 'application/x-ndjson']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: bodyLimitBytes }, (_req, body, done) => {
      done(null, body);
    });
  }
  let records = 0;
  let unparsable = 0;
  app.post('/api/v1/observations', { bodyLimit: bodyLimitBytes }, (request) => {
    const text = request.body as string;
    let n = 0;
    if (String(request.headers['content-type']).startsWith('application/x-ndjson')) {
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end === -1) end = text.length;
        if (end > start) {
          try {
            JSON.parse(text.slice(start, end));
          } catch {
            unparsable += 1;
          }
          n += 1;
        }
        start = end + 1;
      }
    } else n = (JSON.parse(text) as unknown[]).length;
    records += n;
    return { records: n };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  await control.ready({ port: Number(new URL(address).port) });
  await control.stopped;
  await app.close();
  return { records, unparsable, peakRssMb: peakRssMb() };
}
