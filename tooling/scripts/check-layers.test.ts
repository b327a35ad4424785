import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs script without declarations
import { checkLayers, STACK } from "./check-layers.mjs";

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

type Pkg = { dir: string; name: string; deps?: Record<string, string>; files?: Record<string, string> };

function workspace(pkgs: Pkg[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  made.push(root);
  for (const p of pkgs) {
    const dir = path.join(root, p.dir);
    fs.mkdirSync(path.join(dir, "src"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: p.name, dependencies: p.deps ?? {} }));
    for (const [f, text] of Object.entries(p.files ?? {})) fs.writeFileSync(path.join(dir, f), text);
  }
  return root;
}

const folder = (name: string) => name.replace("@pagealloc/", "");
function goodStack(): Pkg[] {
  return (STACK as string[]).map((name, i) => ({
    dir: `packages/${folder(name)}`,
    name,
    deps: i > 0 ? { [STACK[i - 1]]: "workspace:^" } : {},
  }));
}

describe("check-layers", () => {
  it("accepts the real repository", () => {
    expect(checkLayers(path.resolve(__dirname, "../.."))).toEqual([]);
  });

  it("accepts a correct stack with an app on top", () => {
    const root = workspace([...goodStack(), { dir: "apps/cli", name: "@pagealloc/cli", deps: { "@pagealloc/page-api": "workspace:^" } }]);
    expect(checkLayers(root)).toEqual([]);
  });

  it("rejects an upward edge (gfp -> zones)", () => {
    const pkgs = goodStack();
    pkgs[1].deps = { ...pkgs[1].deps, "@pagealloc/zones": "workspace:^" };
    const problems = checkLayers(workspace(pkgs));
    expect(problems).toContain(
      "packages/gfp: upward edge @pagealloc/gfp -> @pagealloc/zones (a layer may only depend on layers below it)",
    );
    expect(problems.some((p: string) => p.startsWith("cycle: "))).toBe(true);
  });

  it("rejects a layer depending on an app", () => {
    const pkgs = goodStack();
    pkgs[0].deps = { "@pagealloc/cli": "workspace:^" };
    const root = workspace([...pkgs, { dir: "apps/cli", name: "@pagealloc/cli" }]);
    expect(checkLayers(root)).toContain(
      "packages/physmem: upward edge @pagealloc/physmem -> @pagealloc/cli (a layer may only depend on layers below it)",
    );
  });

  it("rejects an undeclared upward import in source", () => {
    const pkgs = goodStack();
    pkgs[0].files = { "src/index.ts": 'import { x } from "@pagealloc/buddy";\n' };
    const problems = checkLayers(workspace(pkgs));
    expect(problems).toContain("packages/physmem/src/index.ts:1: imports @pagealloc/buddy, which packages/physmem/package.json does not declare");
    expect(problems).toContain("packages/physmem/src/index.ts:1: upward import of @pagealloc/buddy");
  });

  it("rejects reaching into another package's src/", () => {
    const pkgs = goodStack();
    pkgs[2].files = { "src/a.ts": 'export * from "../../gfp/src/index";\n' };
    pkgs[3].files = { "src/b.ts": '\nimport "@pagealloc/zones/src/zone";\n' };
    const problems = checkLayers(workspace(pkgs));
    expect(problems).toContain('packages/zones/src/a.ts:1: reaches into packages/gfp/src by relative path ("../../gfp/src/index")');
    expect(problems).toContain('packages/buddy/src/b.ts:2: imports another package\'s src/ ("@pagealloc/zones/src/zone")');
  });

  it("rejects a non-workspace internal dependency and a missing layer", () => {
    const pkgs = goodStack().filter((p) => p.name !== "@pagealloc/buddy");
    pkgs[1].deps = { "@pagealloc/physmem": "^0.1.0" };
    const problems = checkLayers(workspace(pkgs));
    expect(problems).toContain('packages/gfp: internal dependency @pagealloc/physmem must use the workspace: protocol, not "^0.1.0"');
    expect(problems).toContain("missing layer package @pagealloc/buddy");
  });
});
