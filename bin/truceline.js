#!/usr/bin/env node
// The `truceline` command. Runs the TypeScript sources through tsx, so it works straight after
// `npm ci` with no build step (docs/decisions/0002-run-typescript-with-tsx.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv);
