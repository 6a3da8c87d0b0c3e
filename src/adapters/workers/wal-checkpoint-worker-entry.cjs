// Entry of the WAL checkpoint thread when running from the sources (CommonJS on purpose, as the
// validation threads' entry): tsx's require hook compiles the thread's TypeScript in this thread.
require('tsx/cjs/api').register();
require('./wal-checkpoint-worker.ts');
