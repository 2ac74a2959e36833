#!/usr/bin/env node
// The x7 command runs the compiled CLI; `npm run build` (or `npm test`) compiles it.
import { runCli } from '../dist/src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
