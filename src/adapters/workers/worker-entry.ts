/** @module Where a worker thread's code is, from the sources or from the compiled bundle. */

/**
 * The entry of the worker thread `name`: from the sources (tsx), `<name>-entry.cjs` beside this file,
 * a CommonJS file that registers tsx's require hook in the thread (so no module-hooks thread is started
 * per worker); from the compiled bundle, the thread's own bundle `<name>.mjs` beside the code that
 * starts it (scripts/build.mjs puts it there).
 */
export const workerEntry = (name: string): URL =>
  import.meta.url.endsWith('.ts')
    ? new URL(`./${name}-entry.cjs`, import.meta.url)
    : new URL(`./${name}.mjs`, import.meta.url);
