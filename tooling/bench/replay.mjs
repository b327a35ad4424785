// replay: a large synthetic ftrace text file in the line format of the real sample
// (/work/shared/reference/samples-6.18-x86_64/tracefs_trace_sample.txt: 6.18, `trace` file, 5 flag
// characters, pfn in hex), replayed streamed: read in 1 MiB chunks, one TraceReplayer.line() per line.
import { closeSync, mkdtempSync, openSync, readSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HEADER = `# tracer: nop
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`;
const hex = (n, w) => n.toString(16).padStart(w, "0");

/**
 * Write `events` event lines: order-0 GFP_HIGHUSER_MOVABLE allocations (each freed 1000 events later,
 * pfns cycling through 50 000 frames above 6 GiB), some order-3 GFP_KERNEL allocations, and the
 * counted-only events the kernel interleaves (mm_page_free_batched, mm_page_alloc_zone_locked,
 * mm_page_pcpu_drain). Returns the file path.
 */
export function writeSyntheticTrace(events) {
  const file = join(mkdtempSync(join(tmpdir(), "pagealloc-trace-")), "trace.txt");
  const fd = openSync(file, "w");
  writeSync(fd, HEADER);
  const base = 0x180000; // pfn: 6 GiB
  const base3 = 0x1c0000; // order-3 blocks
  const W = 50_000;
  const LAG = 1000;
  let chunk = "";
  let ts = 963.827985;
  let n = 0;
  let j = 0;
  const emit = (task, cpu, flags, ev, rest) => {
    if (n >= events) return;
    ts += 0.000001;
    const [comm, pid] = task.split(/-(?=\d+$)/);
    chunk += `${comm.padStart(16)}-${pid.padEnd(7)} [${hex(cpu, 3)}] ${flags} ${ts.toFixed(6).padStart(12)}: ${ev}: page=00000000${hex((n * 2654435761) >>> 0, 8)} ${rest}\n`;
    n++;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  };
  while (n < events) {
    const p = base + (j % W);
    if (j % 20 === 19) {
      const q = base3 + 8 * (j % 5000);
      emit("kworker/0:0-15451", 0, ".....", "mm_page_alloc", `pfn=0x${hex(q, 0)} order=3 migratetype=0 gfp_flags=GFP_KERNEL|__GFP_COMP`);
      emit("kworker/0:0-15451", 0, "dN.3.", "mm_page_alloc_zone_locked", `pfn=0x${hex(q, 0)} order=3 migratetype=0 percpu_refill=1`);
      emit("kworker/0:0-15451", 0, ".....", "mm_page_free", `pfn=0x${hex(q, 0)} order=3`);
    }
    emit("node-18990", j & 1, ".....", "mm_page_alloc", `pfn=0x${hex(p, 0)} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP`);
    if (j >= LAG) {
      const f = base + ((j - LAG) % W);
      emit("python3-19204", j & 1, ".n...", "mm_page_free", `pfn=0x${hex(f, 0)} order=0`);
      if (j % 10 === 0) emit("python3-19204", j & 1, ".n.2.", "mm_page_free_batched", `pfn=0x${hex(f, 0)} order=0`);
      if (j % 64 === 0) emit("kworker/1:1-16241", 1, "d..2.", "mm_page_pcpu_drain", `pfn=0x${hex(f, 0)} order=0 migratetype=0`);
    }
    j++;
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return file;
}

/** Stream `file` through `onLine` in 1 MiB chunks; returns the number of lines. */
export function replayFile(file, onLine) {
  const fd = openSync(file, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest = "";
  let lines = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = rest + buf.toString("latin1", 0, n);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      onLine(text.slice(start, nl));
      lines++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) {
    onLine(rest);
    lines++;
  }
  closeSync(fd);
  return lines;
}
