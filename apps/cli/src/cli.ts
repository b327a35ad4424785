#!/usr/bin/env node
// The `pagealloc` executable: a thin shell around run(), which holds the commands.
import { run } from "./run";

// `pagealloc demo | head`: the reader closed the pipe; stop quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 70;
  },
);
