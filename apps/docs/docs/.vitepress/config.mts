import { defineConfig } from "vitepress";

const guide = [
  { text: "Overview", link: "/guide/" },
  { text: "Physical memory and NUMA nodes", link: "/guide/physical-memory" },
  { text: "Zones", link: "/guide/zones" },
  { text: "GFP masks and zone modifiers", link: "/guide/gfp" },
  { text: "Fallback lists (zonelists)", link: "/guide/zonelists" },
  { text: "The buddy system", link: "/guide/buddy" },
  { text: "The page API", link: "/guide/page-api" },
  { text: "Watermarks and reserves", link: "/guide/watermarks" },
  { text: "Anti-fragmentation", link: "/guide/anti-fragmentation" },
  { text: "Per-CPU lists", link: "/guide/pcp" },
  { text: "Compaction", link: "/guide/compaction" },
  { text: "Reading /proc and failure reports", link: "/guide/proc-files" },
];

const reference = [
  { text: "Overview", link: "/reference/" },
  { text: "API (TypeDoc)", link: "/api/index.html", target: "_self" },
  { text: "CLI", link: "/reference/cli" },
  { text: "Machine JSON Schema", link: "/reference/machine-schema" },
  { text: "Workload scripts", link: "/reference/workload" },
  { text: "Error catalogue", link: "/reference/errors" },
];

export default defineConfig({
  title: "pagealloc",
  description: "A faithful, fast model of the Linux kernel's physical page allocator",
  base: "/",
  cleanUrls: false,
  // TypeDoc writes HTML (and copies README media) into public/api: static files, not pages.
  srcExclude: ["public/**"],
  // The TypeDoc output under public/api is linked from the sidebar; VitePress cannot see it at build time.
  ignoreDeadLinks: [/^\/api\//],
  vite: {
    // The workspace packages are ESM; bundle them, never externalize (they run in the browser).
    ssr: { noExternal: [/^@pagealloc\//] },
    build: { chunkSizeWarningLimit: 2000 },
  },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/" },
      { text: "Playground", link: "/playground" },
      { text: "Reference", link: "/reference/" },
    ],
    sidebar: [
      { text: "Guide", items: guide },
      { text: "Playground", items: [{ text: "Playground", link: "/playground" }] },
      { text: "Reference", items: reference },
    ],
    outline: [2, 3],
    search: { provider: "local" },
  },
});
