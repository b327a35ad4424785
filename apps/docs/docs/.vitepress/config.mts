import { defineConfig } from "vitepress";

export default defineConfig({
  title: "pagealloc",
  description: "A faithful, fast model of the Linux kernel's physical page allocator",
  base: "/",
  cleanUrls: false,
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/" },
      { text: "Playground", link: "/playground" },
    ],
    sidebar: [
      { text: "Guide", items: [{ text: "Overview", link: "/guide/" }] },
    ],
  },
});
