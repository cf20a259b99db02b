#!/usr/bin/env node
// The image's ENTRYPOINT: `node dist/main.js <train|evaluate|serve>`.
import { run } from './cli.js';

process.exitCode = await run(process.argv.slice(2), process.env);
