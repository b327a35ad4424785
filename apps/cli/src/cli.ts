#!/usr/bin/env node
// The `pagealloc` executable: a thin shell around run(), which holds the commands.
import { run } from "./run";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 70;
  },
);
