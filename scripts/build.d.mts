// Types of scripts/build.mjs, for the TypeScript that calls it (the bench).

/** What to compile: `entry` (from the repository root) into `outdir/<name>.mjs`. */
export interface BuildTarget {
  readonly entry: string;
  readonly name: string;
  readonly outdir: string;
  /** Dynamic imports become chunks loaded on first use; the outdir is emptied first. */
  readonly splitting?: boolean;
}

export const ROOT: string;
export const COMMAND: BuildTarget;
export function build(target: BuildTarget): Promise<string>;
export function ensureBuilt(target?: BuildTarget): Promise<string>;
