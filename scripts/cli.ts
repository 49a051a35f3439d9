#!/usr/bin/env node
// The `faultline` command (the package's bin; `npm run faultline --` here).
import { main } from './main.ts';

// exitCode, not exit(): output still in flight to a pipe is written before the process ends.
process.exitCode = await main(process.argv.slice(2));
