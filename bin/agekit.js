#!/usr/bin/env node
// Entry point of the installed `agekit` command: the compiled CLI in dist/ (npm run build).
import { main } from '../dist/cli/main.js';
process.exitCode = await main(process.argv);
