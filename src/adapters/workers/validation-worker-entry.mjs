// Entry of a validation worker thread: workers do not inherit the parent's TypeScript loader, so
// register tsx here, then load the worker's code.
import { register } from 'tsx/esm/api';

register();
await import('./validation-worker.ts');
