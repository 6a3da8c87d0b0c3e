// Entry of a validation worker thread (CommonJS on purpose): tsx's require hook compiles the worker's
// TypeScript in this thread, so no module-hooks thread is started per worker.
require('tsx/cjs/api').register();
require('./validation-worker.ts');
