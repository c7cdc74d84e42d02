#!/usr/bin/env node
// Entry point of the `eoc` command: runs the compiled CLI (built by `npm install`).
// `eoc rla` (offline audit checks) loads only what it needs.
const { main } = await import(process.argv[2] === 'rla' ? '../dist/cli/rla-entry.js' : '../dist/main.js');

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
