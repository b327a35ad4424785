// The lint rules of style.md that a machine can check. Each rule applies to a profile:
// "library" = packages/*/src (browser-safe, deterministic, typed errors), "app" = apps/*/src.

export const RULES = [
  {
    id: "no-node-import",
    profiles: ["library"],
    pattern: /\bfrom\s+["']node:|\brequire\(\s*["']node:|\bimport\(\s*["']node:/,
    message: "lower layers are browser-safe: no node:* imports (move file/process access to the CLI)",
  },
  {
    id: "no-math-random",
    profiles: ["library"],
    pattern: /\bMath\.random\s*\(/,
    message: "the model is deterministic: take randomness from a seeded generator",
  },
  {
    id: "no-wall-clock",
    profiles: ["library"],
    pattern: /\bDate\.now\s*\(|\bnew Date\s*\(|\bperformance\.now\s*\(/,
    message: "the model is deterministic: no wall-clock time inside it",
  },
  {
    id: "typed-errors",
    profiles: ["library", "app"],
    pattern: /\bthrow\s+new\s+(Error|TypeError|RangeError)\s*\(/,
    message: "throw a typed PageallocError subclass with a code, not a bare Error",
  },
  {
    id: "no-console",
    profiles: ["library"],
    pattern: /\bconsole\.(log|error|warn|info)\s*\(/,
    message: "libraries do not print: return text or emit events",
  },
];

/** @param {string} text @param {"library"|"app"} profile */
export function lintText(text, profile) {
  const problems = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("//") || trimmed.startsWith("*")) return;
    if (line.includes("lint-ignore")) return;
    for (const rule of RULES) {
      if (rule.profiles.includes(profile) && rule.pattern.test(line)) {
        problems.push({ line: i + 1, rule: rule.id, message: rule.message });
      }
    }
  });
  return problems;
}
