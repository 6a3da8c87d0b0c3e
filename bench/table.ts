/**
 * @module Prints the committed results (bench/results/*.json) as one Markdown table, for the
 * performance section of the README:
 *
 *   node --import tsx bench/table.ts            # print it
 *   node --import tsx bench/table.ts --write    # and put it into bench/README.md between its markers
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './generate-observations.ts';
import type { BenchItem, Growth } from './lib/results.ts';

const ORDER = ['ingest', 'http', 'query', 'postgres', 'fusion', 'ledger'];
const fmt = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : String(n));

export function markdownTable(): string {
  const dir = join(BENCH_DIR, 'results');
  const files = readdirSync(dir)
    // Bench areas only (evaluation.json, written by scripts/evaluate-seeds.ts, has a table of its own).
    .filter((f) => ORDER.includes(f.replace(/\.json$/, '')))
    .sort((a, b) => {
      const rank = (f: string): number => {
        const i = ORDER.indexOf(f.replace(/\.json$/, ''));
        return i === -1 ? ORDER.length : i;
      };
      return rank(a) - rank(b) || a.localeCompare(b);
    });
  const lines = [
    '| area | figure | value | limit (same run) | ratio | target | peak RSS | ×10 rows: cost, RSS | commit |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const file of files) {
    const items = JSON.parse(readFileSync(join(dir, file), 'utf8')) as BenchItem[];
    for (const item of items) {
      const growth = item.detail.growth as Growth | undefined;
      const target = item.detail.target as string | undefined;
      const met = item.detail.met as boolean | undefined;
      const rows = item.detail.rows as number;
      const cold = item.detail.coldP95Ms as number | undefined;
      const source = item.detail.source as { commit?: string; commitAtEnd?: string } | undefined;
      const commit =
        source?.commit === undefined
          ? '—'
          : `${source.commit}${source.commitAtEnd === undefined ? '' : `…${source.commitAtEnd}`}`;
      lines.push(
        `| ${file.replace(/\.json$/, '')} | ${item.name} (${rows.toLocaleString('en')} rows) | ${fmt(item.value)} ${item.unit}${cold === undefined ? '' : ` (cold ${fmt(cold)} ms)`} | ${fmt(item.limit.value)} — ${item.limit.name} | ${(item.ratio * 100).toFixed(1)} % | ${target === undefined ? '—' : `${target}: ${met === true ? 'met' : '**missed**'}`} | ${item.peakRssMb} MB | ${growth === undefined ? '—' : `×${growth.costFactor}, ×${growth.peakRssFactor}`} | ${commit} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const table = markdownTable();
process.stdout.write(table);
if (process.argv.includes('--write')) {
  const readme = join(BENCH_DIR, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`bench/README.md has no ${start} … ${end} markers`);
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${table}${text.slice(to)}`);
}
