// Browser tests of the docs site: [name, async ({ page, base, outDir }) => void] pairs.
import assert from "node:assert/strict";
import path from "node:path";

export const tests = [
  ["home page renders", async ({ page, base, outDir }) => {
    const resp = await page.goto(`${base}/`, { waitUntil: "networkidle" });
    assert.equal(resp.status(), 200);
    assert.match(await page.title(), /pagealloc/);
    await page.screenshot({ path: path.join(outDir, "home.png"), fullPage: true });
  }],
  ["playground runs the buddy package in the browser", async ({ page, base }) => {
    await page.goto(`${base}/playground.html`, { waitUntil: "networkidle" });
    assert.equal((await page.textContent("#buddy")).trim(), "8");
    await page.fill("#pfn", "1024");
    await page.fill("#order", "10");
    assert.equal((await page.textContent("#buddy")).trim(), "0");
  }],
];
