/**
 * @module Where the time goes: summarises a V8 CPU profile (`npm run bench -- AREA --cpu-prof` writes
 * them to bench/data/profiles/) by self time per function and per source file, and by inclusive time
 * for the functions named on the command line.
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top 25] [--inclusive name,name…]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byFunction: readonly { name: string; ms: number; share: number }[];
  readonly byFile: readonly { file: string; ms: number; share: number }[];
  readonly inclusive: readonly { name: string; ms: number; share: number }[];
}

const shortUrl = (url: string): string => {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1)
    return path
      .slice(nm + 'node_modules/'.length)
      .split('/')
      .slice(0, 1)
      .join('/');
  const src = path.search(/\/(src|bench)\//);
  return src === -1 ? path : path.slice(src + 1);
};

export function summarise(profile: Profile, top: number, inclusiveNames: readonly string[]): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = shortUrl(url);
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
    file.set(where, (file.get(where) ?? 0) + ms);
    // Inclusive: count the sample once for each named function on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame.functionName;
      if (inclusiveNames.includes(f) && !seen.has(f)) {
        seen.add(f);
        incl.set(f, (incl.get(f) ?? 0) + ms);
      }
    }
  }
  const rank = <K extends string>(map: Map<string, number>, key: K) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, ms]) =>
          ({ [key]: k, ms: Math.round(ms), share: Math.round((ms / totalMs) * 1000) / 10 }) as Record<
            K,
            string
          > & { ms: number; share: number },
      );
  return {
    totalMs: Math.round(totalMs),
    byFunction: rank(fn, 'name'),
    byFile: rank(file, 'file'),
    inclusive: inclusiveNames.map((name) => {
      const ms = incl.get(name) ?? 0;
      return { name, ms: Math.round(ms), share: Math.round((ms / totalMs) * 1000) / 10 };
    }),
  };
}

// Run as a script from its source; never from a compiled bundle that holds this module.
if (import.meta.url.endsWith('.ts') && process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i === -1) return undefined;
    const [, value] = args.splice(i, 2);
    return value;
  };
  const top = Number(option('--top') ?? 25);
  const inclusive = (option('--inclusive') ?? '').split(',').filter((s) => s !== '');
  const file = args[0];
  if (file === undefined) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [--top N] [--inclusive fn,fn…]\n');
    process.exit(2);
  }
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top, inclusive);
  const out: string[] = [`total sampled: ${s.totalMs} ms`, '', 'self time by file:'];
  for (const r of s.byFile)
    out.push(`  ${String(r.share).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.file}`);
  out.push('', 'self time by function:');
  for (const r of s.byFunction)
    out.push(`  ${String(r.share).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  if (s.inclusive.length > 0) {
    out.push('', 'inclusive time:');
    for (const r of s.inclusive)
      out.push(`  ${String(r.share).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
