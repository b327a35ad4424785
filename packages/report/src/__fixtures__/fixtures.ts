import fs from "node:fs";
import path from "node:path";

/** A fixture's text with its first (provenance) line blanked, so line numbers stay those of the file. */
export function fixture(name: string): string {
  const text = fs.readFileSync(path.join(__dirname, name), "utf8");
  const nl = text.indexOf("\n");
  return text.startsWith("#") ? text.slice(nl) : text;
}

/** Line `n` (1-based) of a fixture, log prefix included. */
export function fixtureLine(name: string, n: number): string {
  return (fs.readFileSync(path.join(__dirname, name), "utf8").split("\n")[n - 1] ?? "").replace(/\r$/, "");
}

export const F48 = "warn_alloc_4.8_x86_64.txt";
export const F689 = "warn_alloc_6.8.9_ppc32.txt";
export const F619 = "warn_alloc_6.19-rc5_x86_64.txt";
export const F41 = "warn_alloc_4.1.18_arm64_android.txt";
