// Helpers shared by the command tests: an in-memory Io and the path of the example scripts.
import path from "node:path";

export function capture() {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

export const examplesDir = path.join(__dirname, "..", "..", "examples");
// Real kernel output copied into the repository (see __fixtures__/SOURCES.md), so tests need nothing outside it.
export const referenceDir = path.join(__dirname, "__fixtures__");
