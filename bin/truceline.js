#!/usr/bin/env node
// The `truceline` command. Runs the compiled bundle of the TypeScript sources, compiling it first when
// it is missing or older than any of them, so it works straight after `npm ci` with no other step
// (docs/decisions/0011-compiled-command.md).
import { ensureBuilt } from '../scripts/build.mjs';

const { main } = await import(await ensureBuilt());
await main(process.argv);
