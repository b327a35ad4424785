// The playground's memory-map data (apps/docs .../lib/memory-map.ts, blockStats: per-pageblock
// migratetype and free/pcp/reserved counts as typed arrays) is TypeScript outside any package:
// transpile it with the repository's typescript into a temporary module and import that.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** @returns blockStats(buddy, maxPfn), or undefined when the playground file is missing */
export async function blockStatsFn(root) {
  const src = join(root, "apps", "docs", "docs", ".vitepress", "theme", "lib", "memory-map.ts");
  if (!existsSync(src)) return undefined;
  const ts = (await import("typescript")).default;
  const out = ts.transpileModule(readFileSync(src, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  // The module sits in a temporary folder: point its @pagealloc/* imports at the built packages.
  const linked = out.replace(/from\s+(["'])@pagealloc\/([a-z-]+)\1/g, (_, q, name) => `from ${q}${pathToFileURL(join(root, "packages", name, "dist", "index.js")).href}${q}`);
  const file = join(mkdtempSync(join(tmpdir(), "pagealloc-bench-")), "memory-map.mjs");
  writeFileSync(file, linked);
  return (await import(pathToFileURL(file).href)).blockStats;
}
