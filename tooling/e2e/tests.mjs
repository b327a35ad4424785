// Browser tests of the docs site: [name, async ({ page, base, outDir }) => void] pairs.
// Expected values come from the kernel's rules, worked out by hand in the comments, not from our own output.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

/** Every page in the sidebar (kept in step with apps/docs/docs/.vitepress/config.mts by the "sidebar" test). */
const PAGES = [
  "/", "/guide/", "/guide/physical-memory.html", "/guide/zones.html", "/guide/gfp.html", "/guide/zonelists.html",
  "/guide/buddy.html", "/guide/page-api.html", "/guide/watermarks.html", "/guide/anti-fragmentation.html",
  "/guide/pcp.html", "/guide/compaction.html", "/guide/proc-files.html", "/playground.html", "/reference/",
  "/reference/cli.html", "/reference/machine-schema.html", "/reference/workload.html", "/reference/errors.html",
  "/api/index.html",
];

async function bootPlayground(page, base, hash) {
  await page.goto(`${base}/playground.html${hash}`, { waitUntil: "networkidle" });
  await page.waitForSelector("#pg-boot", { timeout: 20000 });
}

/** The free_area cell of one order and migratetype (column index) of the selected zone. */
async function freeArea(page) {
  return page.$$eval("#pg-free-area tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td[data-mt]")].map((td) => Number(td.textContent))));
}

async function mapState(page) {
  return page.$eval("#pg-map", (c) => ({ free: Number(c.dataset.free), alloc: Number(c.dataset.alloc), pcp: Number(c.dataset.pcp), checksum: c.dataset.checksum, mode: c.dataset.mode }));
}

async function allocate(page, gfp, order) {
  await page.fill("#pg-gfp", gfp);
  await page.fill("#pg-order", String(order));
  const before = await page.getAttribute(".playground", "data-ops");
  await page.click("#pg-alloc");
  await page.waitForFunction((n) => document.querySelector(".playground")?.getAttribute("data-ops") !== n, before);
}

export const tests = [
  ["home page renders", async ({ page, base, outDir }) => {
    const resp = await page.goto(`${base}/`, { waitUntil: "networkidle" });
    assert.equal(resp.status(), 200);
    assert.match(await page.title(), /pagealloc/);
    await page.screenshot({ path: path.join(outDir, "home.png"), fullPage: true });
  }],

  ["sidebar lists exactly the tested pages", async ({ page, base }) => {
    await page.goto(`${base}/guide/`, { waitUntil: "networkidle" });
    const links = await page.$$eval(".VPSidebar a.link", (as) => as.map((a) => new URL(a.href).pathname));
    for (const l of links) assert.ok(PAGES.includes(l) || PAGES.includes(l.replace(/\.html$/, "/")), `sidebar page ${l} is not visited by the tests`);
    assert.ok(links.length >= 18, `only ${links.length} sidebar links`);
  }],

  ["every page loads without errors", async ({ page, base, outDir }) => {
    const problems = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !/favicon/.test(m.location().url ?? "")) problems.push(`${page.url()}: ${m.text()} ${m.location().url ?? ""}`);
    });
    page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
    for (const p of PAGES) {
      const resp = await page.goto(`${base}${p}`, { waitUntil: "networkidle" });
      assert.equal(resp.status(), 200, `${p} status ${resp.status()}`);
      const errs = await page.$$eval(".live .err", (es) => es.map((e) => e.textContent.trim()).filter(Boolean));
      assert.deepEqual(errs, [], `${p} shows an error in a live example`);
      if (p.startsWith("/guide/") && p !== "/guide/") assert.ok(await page.$(".live"), `${p} has no live example`);
      await page.screenshot({ path: path.join(outDir, `page${p.replace(/[/.]+/g, "-").replace(/-$/, "") || "-home"}.png`), fullPage: true });
    }
    assert.deepEqual(problems, []);
  }],

  ["playground: an allocation changes free_area and the memory map as the buddy rules say", async ({ page, base, outDir }) => {
    // tiny-16m on 6.18: ZONE_DMA pfn 0-4096 and DMA32 4096-... ; GFP_DMA order 3 takes from ZONE_DMA only.
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    await page.selectOption("#pg-zone", { label: "Node 0, zone DMA" });
    const before = await freeArea(page);
    const map0 = await mapState(page);
    // Order 3 is served from the per-CPU list on 6.18 (orders ≤ PAGE_ALLOC_COSTLY_ORDER), which is filled by
    // rmqueue_bulk in order-3 blocks; either way the zone loses whole blocks and 8 pages end up allocated.
    await allocate(page, "GFP_DMA", 3);
    const after = await freeArea(page);
    const map1 = await mapState(page);
    assert.equal(map1.alloc - map0.alloc, 8, "8 pages (2^3) allocated");
    assert.equal(map0.free + map0.pcp - (map1.free + map1.pcp), 8, "free + pcp pages shrink by exactly 8");
    assert.notDeepEqual(after, before, "free_area table changed");
    assert.notEqual(map1.checksum, map0.checksum, "memory map pixels changed");
    const walk = await page.textContent("#pg-walk");
    assert.match(walk, /highest zone DMA/);
    await page.screenshot({ path: path.join(outDir, "playground-alloc.png"), fullPage: true });
  }],

  ["playground: splitting follows expand() on 2.6.24 (no pcp for order > 0)", async ({ page, base }) => {
    // 2.6.24: order > 0 goes straight to __rmqueue(). Boot marks every pageblock Movable (memmap_init), so a
    // movable DMA request (__GFP_DMA|__GFP_MOVABLE → ZONE_DMA, MIGRATE_MOVABLE) is served by
    // __rmqueue_smallest() without fallback: it takes the smallest free block of order k ≥ 3 and expand()
    // returns its upper halves, one block of each order 3..k-1. So order k loses one block, orders 3..k-1
    // gain one each. (An unmovable request would fall back and split the *largest* block instead.)
    await bootPlayground(page, base, "#m=tiny-16m&v=2.6.24");
    await page.selectOption("#pg-zone", { label: "Node 0, zone DMA" });
    const before = await freeArea(page);
    const totals = (t) => t.map((row) => row.reduce((a, b) => a + b, 0));
    const b = totals(before);
    const k = b.findIndex((n, o) => o >= 3 && n > 0);
    assert.ok(k >= 3, "some block of order ≥ 3 is free");
    await allocate(page, "__GFP_DMA|__GFP_MOVABLE", 3);
    const a = totals(await freeArea(page));
    for (let o = 0; o < b.length; o++) {
      const expected = o === k ? b[o] - 1 : o >= 3 && o < k ? b[o] + 1 : b[o];
      assert.equal(a[o], expected, `order ${o}: ${b[o]} → ${a[o]}, expected ${expected} (split from order ${k})`);
    }
  }],

  ["playground: history back restores the previous state, forward re-applies", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=pc-4g&v=6.18");
    const s0 = { table: await freeArea(page), map: await mapState(page) };
    await allocate(page, "GFP_KERNEL", 4);
    const s1 = { table: await freeArea(page), map: await mapState(page) };
    await allocate(page, "GFP_HIGHUSER_MOVABLE", 9);
    const s2 = { table: await freeArea(page), map: await mapState(page) };
    assert.notDeepEqual(s2, s1);
    await page.click("#pg-back");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-step") === "1");
    assert.deepEqual({ table: await freeArea(page), map: await mapState(page) }, s1, "back to step 1");
    await page.click("#pg-back");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-step") === "0");
    assert.deepEqual({ table: await freeArea(page), map: await mapState(page) }, s0, "back to boot");
    await page.click("#pg-last");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-step") === "2");
    assert.deepEqual({ table: await freeArea(page), map: await mapState(page) }, s2, "forward to step 2");
    await page.screenshot({ path: path.join(outDir, "playground-history.png"), fullPage: true });
  }],

  ["playground: a shared URL reproduces the state", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=numa-4node&v=6.18");
    await allocate(page, "GFP_KERNEL", 2);
    await page.fill("#pg-node", "2");
    await allocate(page, "GFP_KERNEL|__GFP_THISNODE", 5);
    await page.click(".pg-free[data-op='0']");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-ops") === "3");
    // The walk of the __GFP_THISNODE request on node 2 (the last allocation): only node 2's zones
    // (numa-4node nodes 1–3 have only ZONE_NORMAL), never a fallback to another node.
    const walk = await page.textContent("#pg-walk");
    assert.match(walk, /Node 2 Normal/);
    assert.doesNotMatch(walk, /Node [013] /);
    const url = await page.getAttribute("#pg-share", "href");
    const state = { table: await freeArea(page), map: await mapState(page), history: await page.textContent("#pg-history"), trace: await page.textContent("#pg-trace") };
    const other = await page.context().newPage();
    try {
      await other.goto(url, { waitUntil: "networkidle" });
      await other.waitForSelector("#pg-boot", { timeout: 20000 });
      await other.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-step") === "3");
      const again = { table: await freeArea(other), map: await mapState(other), history: await other.textContent("#pg-history"), trace: await other.textContent("#pg-trace") };
      assert.deepEqual(again, state);
      assert.match(again.history, /pfn \d+/);
      await other.screenshot({ path: path.join(outDir, "playground-shared-numa.png"), fullPage: true });
    } finally {
      await other.close();
    }
  }],

  ["playground: a malformed URL shows an error and does not crash", async ({ page, base, outDir }) => {
    for (const [hash, expected] of [
      ["#m=no-such-box", /unknown preset "no-such-box".*|m: unknown preset/],
      ["#m=pc-4g&v=9.99", /version "9.99"/],
      ["#m=pc-4g&ops=a.GFP_KERNEL.x.0.0", /ops\[0\]\.order/],
      ["#m=pc-4g&ops=f.0.0", /ops\[0\]\.of/],
      ["#m=custom&mj=e30", /mj/],
    ]) {
      await page.goto(`${base}/playground.html${hash}`, { waitUntil: "networkidle" });
      await page.waitForSelector("#pg-error");
      assert.match(await page.textContent("#pg-error"), expected, hash);
    }
    await page.screenshot({ path: path.join(outDir, "playground-bad-url.png"), fullPage: true });
    // Under the message the default machine is booted and usable.
    await page.waitForSelector("#pg-boot");
    assert.match(await page.textContent("#pg-boot"), /tiny-16m/);
    // The page still works: choosing a preset boots it.
    await page.selectOption("#pg-preset", "tiny-16m");
    await page.waitForSelector("#pg-boot");
    assert.equal(await page.$("#pg-error"), null);
  }],

  ["playground: zooming shows pages on a 64 GiB machine", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=numa-4node&v=6.18");
    const info = await page.textContent("#pg-map-info");
    // The preset's last range ends at pfn 0x1040000 (16 GiB per node + the 1 GiB PCI hole below 4 GiB that
    // node 0 remaps above it): 0x1040000 / 512 pages per pageblock = 33280 pageblocks on the map.
    assert.match(info, /33,280 pageblocks/);
    await page.click("#pg-map", { position: { x: 5, y: 5 } });
    await page.waitForFunction(() => document.querySelector("#pg-map")?.getAttribute("data-mode") === "pages");
    await page.screenshot({ path: path.join(outDir, "playground-zoom.png"), fullPage: true });
  }],

  ["playground: sysctls change the watermarks (and travel in the URL)", async ({ page, base }) => {
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    await page.fill("#pg-minfree", "2048");
    await page.click("#pg-sysctl");
    // __setup_per_zone_wmarks(): pages_min = 2048 kB / 4 = 512, all of it in DMA (the only lowmem zone);
    // delta = max(512 >> 2 = 128, managed × 10 / 10000 = 3) = 128 → min 512, low 640, high 768.
    await page.waitForFunction(() => /min 512, low 640, high 768/.test(document.querySelector(".wm[data-zone='DMA']")?.textContent ?? ""));
    assert.match(page.url(), /s=min_free_kbytes%3A2048/);
    const again = await page.context().newPage();
    try {
      await again.goto(page.url(), { waitUntil: "networkidle" });
      await again.waitForSelector("#pg-boot");
      assert.match(await again.textContent(".wm[data-zone='DMA']"), /min 512, low 640, high 768/);
      assert.equal(await again.inputValue("#pg-minfree"), "2048");
    } finally {
      await again.close();
    }
  }],

  ["playground: a pasted /proc/buddyinfo boots that state and the free_area table shows the pasted counts", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    await page.click("details:has(#pg-buddyinfo) summary");
    // DMA: 5 order-0 pages, 2 order-1 blocks, 1 order-3 block, 1 order-5 block free (5 + 4 + 8 + 32 = 49 pages).
    // Without /proc/pagetypeinfo every free block goes on the Movable lists (6.18: MIGRATE_MOVABLE = column 1).
    const pasted = "Node 0, zone      DMA      5      2      0      1      0      1      0      0      0      0      0 \n";
    await page.fill("#pg-buddyinfo", pasted);
    await page.click("#pg-boot-buddyinfo");
    await page.waitForFunction(() => /fc=/.test(window.location.hash));
    await page.selectOption("#pg-zone", { label: "Node 0, zone DMA" });
    const rows = await freeArea(page);
    const expected = [5, 2, 0, 1, 0, 1, 0, 0, 0, 0, 0];
    assert.deepEqual(rows.map((r) => r.reduce((a, n) => a + n, 0)), expected);
    assert.deepEqual(rows.map((r) => r[1]), expected);
    assert.match(await page.textContent(".wm[data-zone='DMA']"), /free 49,/);
    await page.screenshot({ path: path.join(outDir, "playground-buddyinfo.png"), fullPage: true });
    // The shared URL boots the same state.
    const again = await page.context().newPage();
    try {
      await again.goto(page.url(), { waitUntil: "networkidle" });
      await again.waitForSelector("#pg-boot");
      await again.selectOption("#pg-zone", { label: "Node 0, zone DMA" });
      assert.deepEqual(await freeArea(again), rows);
    } finally {
      await again.close();
    }
  }],

  ["playground: a pasted /proc/zoneinfo + /proc/buddyinfo boots that machine in that state", async ({ page, base }) => {
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    await page.click("details:has(#pg-buddyinfo) summary");
    // One DMA zone of 4096 pages from pfn 0, all managed (machineFromZoneinfo keeps spanned/present/managed).
    const zoneinfo = "Node 0, zone      DMA\n  pages free     3584\n        min      0\n        low      0\n        high     0\n" +
      "        spanned  4096\n        present  4096\n        managed  4096\n        protection: (0)\n  pagesets\n    cpu: 0\n" +
      "              count: 0\n              high:  0\n              batch: 1\n  start_pfn:           0\n";
    // one order-9 and three order-10 blocks free: 512 + 3 × 1024 = 3584 pages; 4096 − 3584 = 512 allocated
    await page.fill("#pg-zoneinfo", zoneinfo);
    await page.fill("#pg-buddyinfo", "Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      1      3 \n");
    await page.click("#pg-boot-buddyinfo");
    await page.waitForFunction(() => /m=custom/.test(window.location.hash) && /fc=/.test(window.location.hash));
    assert.match(await page.textContent("#pg-boot"), /pasted-zoneinfo \(4,096 pages\)/);
    await page.selectOption("#pg-zone", { label: "Node 0, zone DMA" });
    const rows = await freeArea(page);
    assert.deepEqual(rows.map((r) => r.reduce((a, n) => a + n, 0)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]);
    assert.match(await page.textContent(".wm[data-zone='DMA']"), /free 3,584,/);
  }],

  ["playground: a workload script runs as one history step", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    const map0 = await mapState(page);
    await page.click("#pg-script-box summary");
    // 10 order-1 GFP_KERNEL allocations = 20 pages, then show buddyinfo (the kernel's frag_show() format).
    await page.fill("#pg-script", "alloc a order=1 gfp=GFP_KERNEL count=10\nshow buddyinfo");
    await page.click("#pg-run-script");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-ops") === "1");
    assert.match(await page.textContent("#pg-script-out"), /^Node 0, zone {6}DMA( +\d+){11}/m);
    const map1 = await mapState(page);
    assert.equal(map1.alloc - map0.alloc, 20);
    await page.screenshot({ path: path.join(outDir, "playground-script.png"), fullPage: true });
    // A script error is shown on the step and changes nothing.
    await page.fill("#pg-script", "alloc b order=oops gfp=GFP_KERNEL");
    await page.click("#pg-run-script");
    await page.waitForSelector("#pg-op-error");
    assert.match(await page.textContent("#pg-op-error"), /op1:1/);
    assert.deepEqual(await mapState(page), map1);
  }],

  ["playground: a saved snapshot loads after a reload: identical /proc text and identical next steps; a corrupt file shows SNAPSHOT_CORRUPT and changes nothing", async ({ page, base, outDir }) => {
    const procTexts = async (p) => {
      const out = {};
      for (const f of ["buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat"]) {
        await p.selectOption("#pg-proc-file", f);
        await p.waitForFunction((name) => document.querySelector("#pg-proc")?.textContent.includes(name === "vmstat" ? "nr_free_pages" : "Node 0"), f);
        out[f] = await p.textContent("#pg-proc");
      }
      await p.selectOption("#pg-proc-file", "buddyinfo");
      return out;
    };
    const runScriptStep = async (p, text, ops) => {
      await p.fill("#pg-script", text);
      await p.click("#pg-run-script");
      await p.waitForFunction((n) => document.querySelector(".playground")?.getAttribute("data-ops") === n, String(ops));
    };
    // random() in a script step draws from seed = the step's index since boot: the loaded history must keep counting
    const script = "repeat 30 {\n  alloc m order=random(0,3) gfp=GFP_HIGHUSER_MOVABLE\n}\nrepeat 12 {\n  free m[random]\n}\nshow buddyinfo";
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18");
    await page.click("#pg-script-box summary");
    await allocate(page, "GFP_KERNEL", 3);
    await runScriptStep(page, script, 2);
    const saved = await procTexts(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#pg-save-snapshot")]);
    const file = path.join(outDir, "playground-snapshot.pgs");
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^tiny-16m-6\.18-step2\.pgs$/);
    // what the page that saved does next: the reference for the loaded one
    await runScriptStep(page, script, 3);
    await allocate(page, "GFP_KERNEL", 2);
    const next = { proc: await procTexts(page), out: await page.textContent("#pg-script-out"), pfn: /→ pfn (\d+)\s*$/.exec(await page.textContent("#pg-history li:last-child"))?.[1] };
    assert.ok(next.pfn, "the order-2 allocation got a page");

    await page.reload({ waitUntil: "networkidle" });
    await bootPlayground(page, base, "");
    assert.notEqual((await procTexts(page)).buddyinfo, saved.buddyinfo, "a fresh boot differs from the saved state");
    await page.setInputFiles("#pg-snapshot-file", file);
    await page.waitForSelector("#pg-snapshot-name");
    assert.match(await page.textContent("#pg-snapshot-name"), /playground-snapshot\.pgs/);
    assert.deepEqual(await procTexts(page), saved);
    await page.screenshot({ path: path.join(outDir, "playground-snapshot-loaded.png"), fullPage: true });
    await page.click("#pg-script-box summary");
    await runScriptStep(page, script, 1);
    await allocate(page, "GFP_KERNEL", 2);
    const again = { proc: await procTexts(page), out: await page.textContent("#pg-script-out"), pfn: /→ pfn (\d+)\s*$/.exec(await page.textContent("#pg-history li:last-child"))?.[1] };
    assert.deepEqual(again, next);

    // a damaged file (one byte flipped: the CRC-32 no longer matches) is refused; what is shown stays
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    const bad = path.join(outDir, "playground-snapshot-corrupt.pgs");
    fs.writeFileSync(bad, bytes);
    const before = { proc: await procTexts(page), step: await page.getAttribute(".playground", "data-step"), name: await page.textContent("#pg-snapshot-name") };
    await page.setInputFiles("#pg-snapshot-file", bad);
    await page.waitForSelector("#pg-error");
    const message = await page.textContent("#pg-error");
    assert.match(message, /load snapshot playground-snapshot-corrupt\.pgs: SNAPSHOT_CORRUPT: .+\(at .+\)/);
    assert.deepEqual({ proc: await procTexts(page), step: await page.getAttribute(".playground", "data-step"), name: await page.textContent("#pg-snapshot-name") }, before);
    await page.screenshot({ path: path.join(outDir, "playground-snapshot-corrupt.png"), fullPage: true });
  }],

  ["playground: a snapshot as `pagealloc run --save` writes it (script state in its section) loads with the same /proc text", async ({ page, base, outDir }) => {
    // the layers' built output (the docs build builds them): the same calls as apps/cli/src/snapshot-file.ts
    const api = await import(new URL("../../packages/page-api/dist/index.js", import.meta.url).href);
    const workload = await import(new URL("../../packages/workload/dist/index.js", import.meta.url).href);
    const k = api.bootKernel({ machine: "tiny-16m", version: "2.6.24", seed: 5 });
    const r = workload.runScript(k, "alloc a order=random(0,4) gfp=GFP_KERNEL count=12\nfree a[random]\nalloc d order=2 gfp=GFP_DMA count=3");
    const file = path.join(outDir, "cli-2.6.24.pgs");
    fs.writeFileSync(file, api.snapshot(k, { extra: workload.encodeScriptState(r.state) }));
    await bootPlayground(page, base, "");
    await page.setInputFiles("#pg-snapshot-file", file);
    await page.waitForSelector("#pg-snapshot-name, #pg-error");
    assert.equal(await page.$("#pg-error"), null, `the file was refused: ${await page.$eval("#pg-error", (e) => e.textContent).catch(() => "")}`);
    // the version select shows the file's kernel; the /proc files are the saved kernel's, in 2.6.24's format
    assert.equal(await page.$eval("#pg-version", (s) => s.value), "2.6.24");
    for (const f of ["buddyinfo", "pagetypeinfo", "zoneinfo"]) {
      await page.selectOption("#pg-proc-file", f);
      await page.waitForFunction((want) => document.querySelector("#pg-proc")?.textContent === want, workload.renderState(k, f));
    }
    assert.doesNotMatch(await page.textContent("#pg-proc"), /nr_free_cma/, "2.6.24's zoneinfo has no CMA counter");
    await page.screenshot({ path: path.join(outDir, "playground-snapshot-cli.png"), fullPage: true });
  }],

  ["playground: with the slow path, a request below the low watermark wakes kswapd and succeeds at min", async ({ page, base, outDir }) => {
    await bootPlayground(page, base, "#m=tiny-16m&v=6.18&r=1");
    const wm = await page.textContent(".wm[data-zone='DMA']");
    const [, free, min, low] = /free ([\d,]+), min ([\d,]+), low ([\d,]+)/.exec(wm).map((x) => Number(String(x).replace(/,/g, "")));
    // Bring free pages to low − 4 with order-0 allocations, then ask for order 4 (16 pages, not a pcp order):
    // the fast path (ALLOC_WMARK_LOW) fails because free − 15 < low; the slow path wakes kswapd and retries at
    // ALLOC_WMARK_MIN, which passes while free − 15 > min.
    const target = low - 4;
    assert.ok(target - 15 > min, `free ${free}, min ${min}, low ${low}`);
    await page.click("#pg-script-box summary");
    await page.fill("#pg-script", `alloc fill order=0 gfp=GFP_KERNEL count=${free - target}\ndrain`);
    await page.click("#pg-run-script");
    await page.waitForFunction(() => document.querySelector(".playground")?.getAttribute("data-ops") === "1");
    await allocate(page, "GFP_KERNEL", 4);
    const slow = await page.textContent("#pg-slowpath");
    assert.match(slow, /wake_kswapd/);
    assert.match(slow, /get_page_from_freelist:min/);
    assert.match(await page.textContent("#pg-history"), /alloc_pages_node\(-1, GFP_KERNEL, 4\) on cpu 0 → pfn \d+/);
    await page.screenshot({ path: path.join(outDir, "playground-slowpath.png"), fullPage: true });
  }],

  ["guide: the GFP decoder decodes what the reader types", async ({ page, base }) => {
    await page.goto(`${base}/guide/gfp.html`, { waitUntil: "networkidle" });
    await page.fill(".gfp-input", "GFP_KERNEL");
    // kernel-facts §1.2/§1.3: GFP_KERNEL = 0xcc0 on 6.18, 0xd0 on 2.6.24; gfp_zone → Normal.
    assert.equal((await page.textContent("tr[data-version='6.18'] .gfp-hex")).trim(), "0xcc0");
    assert.equal((await page.textContent("tr[data-version='2.6.24'] .gfp-hex")).trim(), "0xd0");
    assert.equal((await page.textContent("tr[data-version='6.18'] .gfp-zone")).trim(), "Normal");
    await page.fill(".gfp-input", "GFP_HIGHUSER_MOVABLE");
    assert.equal((await page.textContent("tr[data-version='6.18'] .gfp-zone")).trim(), "Movable");
  }],

  ["guide: the buddy example splits and merges", async ({ page, base, outDir }) => {
    await page.goto(`${base}/guide/buddy.html`, { waitUntil: "networkidle" });
    const info = () => page.textContent(".bd-buddyinfo");
    // One order-5 block of 32 pages at boot: buddyinfo "0 0 0 0 0 1".
    assert.match(await info(), /0\s+0\s+0\s+0\s+0\s+1\s*$/);
    await page.fill(".bd-order", "0");
    await page.click(".bd-alloc");
    // Order 0 from an order-5 block: expand() leaves one free block of each order 0..4.
    assert.match(await info(), /1\s+1\s+1\s+1\s+1\s+0\s*$/);
    await page.screenshot({ path: path.join(outDir, "guide-buddy-split.png") });
    await page.click(".bd-free");
    // Freeing it merges all the way back.
    assert.match(await info(), /0\s+0\s+0\s+0\s+0\s+1\s*$/);
  }],

  ["guide: the compaction example's unusable_index follows the kernel's formula", async ({ page, base }) => {
    await page.goto(`${base}/guide/compaction.html`, { waitUntil: "networkidle" });
    const text = await page.textContent(".kernel-demo .kd-out");
    const lines = text.split("\n");
    const counts = lines[0].trim().split(/\s+/).slice(4).map(Number);
    const unusable = lines[lines.indexOf("# unusable_index") + 1].trim().split(/\s+/).slice(4).map(Number);
    // mm/vmstat.c unusable_free_index(): (free_pages − Σ_{j ≥ order} count[j]·2^j) / free_pages, printed %d.%03d.
    const free = counts.reduce((a, n, o) => a + n * 2 ** o, 0);
    counts.forEach((_, order) => {
      const suitable = counts.reduce((a, n, j) => a + (j >= order ? n * 2 ** j : 0), 0);
      const expected = Math.floor(((free - suitable) * 1000) / free) / 1000;
      assert.equal(unusable[order], expected, `order ${order}`);
    });
    assert.ok(unusable[1] > 0.5, "every second page freed: most free memory is in unusable order-0 blocks");
  }],

  ["guide: the watermark example follows min_free_kbytes", async ({ page, base }) => {
    await page.goto(`${base}/guide/watermarks.html`, { waitUntil: "networkidle" });
    await page.fill(".wm-minfree", "8192");
    // pages_min = 8192 kB / 4 = 2048, spread over lowmem zones by managed pages: the mins add up to ≈2048.
    const mins = await page.$$eval(".watermark-demo .wm-min", (tds) => tds.map((t) => Number(t.textContent)));
    const sum = mins.reduce((a, b) => a + b, 0);
    assert.ok(sum <= 2048 && sum >= 2048 - mins.length, `mins ${mins} sum ${sum}`);
    assert.equal((await page.textContent(".wm-mfk")).trim(), "8192");
  }],
];
