#!/usr/bin/env node
// Entry point of the `eoc` command: runs the compiled CLI (built by `npm install`).
import { main } from '../dist/main.js';

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
