// The typed form of a "page allocation failure" report (warn_alloc + dump_stack + show_mem).
// Numbers are kept as the kernel printed them (value + unit) and, where they are memory sizes,
// also as pages (kB divided by the page size read from the report).

/** Something in the input that could not be read; `line` is 1-based in the input text. */
export interface ReportProblem {
  readonly line: number;
  readonly reason: string;
}

/** One `key:value` field as printed: `free:15360kB`, `pages_scanned:24`, `reserved_highatomic:0KB`. */
export interface ReportQuantity {
  /** The number printed. */
  readonly value: number;
  /** The unit printed after it (`kB`, `KB`, or `""` for a plain count). */
  readonly unit: "kB" | "KB" | "";
  /** `value` in pages (kB / page size), or the value itself for a plain count of pages; null if not a whole number of pages. */
  readonly pages: number | null;
}

/** How the failure line was written: 2.6.x–2.6.39 `failure. order:`, ≈3.0–4.5 `failure: order:` hex only, 4.6+ hex and names. */
export type FailureLineForm = "dot-hex" | "colon-hex" | "colon-named";

/** The `CPU: … PID: … Comm: … Not tainted 6.8.9 #1` line (or the older `Pid: …, comm: …` line) of dump_stack. */
export interface ReportTask {
  readonly line: number;
  readonly cpu: number | null;
  readonly uid: number | null;
  readonly pid: number;
  readonly comm: string;
  /** null when "Not tainted", else the taint letters (e.g. `G        W`). */
  readonly tainted: string | null;
  /** The kernel release as `uname -r` prints it, e.g. `6.19.0-rc5-00027-g40fd0acc45d0`. */
  readonly release: string;
  /** Build number after `#`, and whatever follows it (preempt model, hardware on old kernels). */
  readonly build: string;
  readonly extra: string;
}

/** A per-node line `Node 0 active_anon:…kB … all_unreclaimable? no`. */
export interface ReportNode {
  readonly line: number;
  readonly nid: number;
  readonly fields: Readonly<Record<string, ReportQuantity>>;
  readonly allUnreclaimable: boolean | null;
}

/** One order of a free-area line: `12*4kB (UME)`. */
export interface ReportFreeAreaOrder {
  readonly order: number;
  /** Free blocks of this order (free_area[order].nr_free). */
  readonly count: number;
  /** Block size as printed (kB). */
  readonly sizeKb: number;
  /** Migratetype letters printed for this order (`UME`), "" when none were printed. */
  readonly letters: string;
}

/** The free-area line of one zone: `Node 0 Normal: 12*4kB (UME) 3*8kB (M) … = 1234kB`. */
export interface ReportFreeArea {
  readonly line: number;
  readonly orders: readonly ReportFreeAreaOrder[];
  /** The total the kernel printed after `=`. */
  readonly totalKb: number;
  /** Σ count × size, for comparison with `totalKb`. */
  readonly sumKb: number;
}

/** A zone of the report: its watermark line, `lowmem_reserve[]` line and free-area line. */
export interface ReportZone {
  /** Node id, or null on a kernel without CONFIG_NUMA (zone lines without `Node N `). */
  readonly nid: number | null;
  readonly name: string;
  /** Line of the `… free:…kB min:…` line, or of the free-area line if the zone only has that. */
  readonly line: number;
  /** Every field of the watermark line, by the kernel's name (`free`, `boost`, `min`, `managed` …). */
  readonly fields: Readonly<Record<string, ReportQuantity>>;
  /** 2.6.x–3.x zone lines end with `all_unreclaimable? yes|no`. */
  readonly allUnreclaimable: boolean | null;
  /** `lowmem_reserve[]` in pages, one entry per zone type (MAX_NR_ZONES), or null if the line is missing. */
  readonly lowmemReserve: readonly number[] | null;
  readonly lowmemReserveLine: number | null;
  readonly freeArea: ReportFreeArea | null;
}

/** `Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB`. */
export interface ReportHugepages {
  readonly line: number;
  readonly nid: number;
  readonly total: number;
  readonly free: number;
  readonly surp: number;
  readonly sizeKb: number;
}

/** The Mem-Info section printed by show_mem. */
export interface ReportMemInfo {
  /** Line of `Mem-Info:` (or of its first item when the header is missing). */
  readonly line: number;
  /** Global counters (`active_anon:… free:… free_pcp:…`), in pages as printed. */
  readonly globals: Readonly<Record<string, number>>;
  readonly nodes: readonly ReportNode[];
  /** Zones in the order printed. */
  readonly zones: readonly ReportZone[];
  readonly hugepages: readonly ReportHugepages[];
  /** Trailing totals: `N total pagecache pages`, `N pages RAM`, … keyed by the text after the number. */
  readonly totals: Readonly<Record<string, number>>;
  /** `Free swap  = NkB` / `Total swap = NkB`, null if not printed. */
  readonly freeSwapKb: number | null;
  readonly totalSwapKb: number | null;
  /** Page size in kB: the order-0 block size of the free-area lines, else 4. */
  readonly pageSizeKb: number;
  readonly pageSizeFrom: "free-area" | "default";
  /** Lines recognised but kept only as text (per-cpu pageset lines, swap cache statistics). */
  readonly otherLines: readonly { readonly line: number; readonly text: string }[];
}

/** One page allocation failure report. */
export interface FailureReport {
  /** Line of the `page allocation failure` line. */
  readonly line: number;
  /** Last line that belongs to the report. */
  readonly endLine: number;
  readonly comm: string;
  readonly order: number;
  /** The gfp mask printed after `mode:`. */
  readonly gfpMask: number;
  /** The flag names printed in parentheses (4.6+), null when only hex was printed. */
  readonly gfpNames: string | null;
  readonly form: FailureLineForm;
  /** `nodemask=`: the printed node list, `(null)` as null; undefined when the kernel did not print it. */
  readonly nodemask: string | null | undefined;
  readonly cpuset: string | undefined;
  readonly memsAllowed: string | undefined;
  readonly task: ReportTask | null;
  /** Kernel release from the task line (`6.8.9-gentoo-PMacG4`), null when the report does not say. */
  readonly kernelRelease: string | null;
  readonly hardware: string | null;
  /** The stack dump as text, prefixes removed (not interpreted). */
  readonly callTrace: readonly string[];
  readonly memInfo: ReportMemInfo | null;
  /**
   * ≤ 4.8: warn_alloc_failed() printed its caller's message on the line before the failure line; for vmalloc
   * that is `vmalloc: allocation failure, allocated A of B bytes` (4.9+ prints it inside the failure line, which
   * then does not say "page allocation failure"). Null (or absent) when the report has no such line.
   */
  readonly vmalloc?: { readonly line: number; readonly allocatedBytes: number; readonly requestedBytes: number } | null;
}

/** What `parseFailureReports` returns. */
export interface ParsedReports {
  readonly reports: readonly FailureReport[];
  readonly problems: readonly ReportProblem[];
}
