import { combinedPfn, findBuddyPfn } from "@pagealloc/buddy";
import { defaultMinFreeKbytes } from "@pagealloc/zones";

// First cut of the demo, until the allocator layers land: it shows the buddy arithmetic and the
// min_free_kbytes formula. Replaced by the full workload demo (issue 7).
export function buddyDemo(json: boolean): string {
  const steps = [0, 1, 2, 3].map((order) => ({ order, pfn: 12, buddy: findBuddyPfn(12, order), parent: combinedPfn(12, order) }));
  const mfk = [16, 1024, 16384].map((mb) => ({ lowmemMB: mb, minFreeKbytes: defaultMinFreeKbytes(mb * 1024) }));
  if (json) return `${JSON.stringify({ buddies: steps, minFreeKbytes: mfk }, null, 2)}\n`;
  const lines = ["Buddy arithmetic for pfn 12:"];
  for (const s of steps) lines.push(`  order ${s.order}: buddy pfn ${s.buddy}, merged block starts at pfn ${s.parent}`);
  lines.push("", "Default vm.min_free_kbytes (int_sqrt(lowmem_kB * 16)):");
  for (const m of mfk) lines.push(`  ${String(m.lowmemMB).padStart(6)} MB lowmem -> ${m.minFreeKbytes} kB`);
  return `${lines.join("\n")}\n`;
}
