#!/usr/bin/env node
// Entry point of the installed `agekit` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../host/cli/main.ts');
