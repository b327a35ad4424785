/** One entry of the error catalogue: a stable `code`, what it means, and a call that produces it. */
export interface ErrorCatalogueEntry {
  /** The `code` of the PageallocError (or CLI / playground error). */
  readonly code: string;
  /** The package (or app) that throws it. */
  readonly source: string;
  /** The error class. */
  readonly errorClass: string;
  /** What it means, in one or two sentences. */
  readonly meaning: string;
  /** A call (or command line) that produces it. */
  readonly example: string;
}

/**
 * Every error code pagealloc throws, with its meaning and an example. A test scans the sources (packages/*\/src,
 * apps/cli/src, the playground's lib) and checks that each code thrown there is listed here and each listed code
 * is thrown somewhere. The docs' error page can be generated from this table.
 *
 * @example
 * ```ts
 * import { ERROR_CATALOGUE } from "@pagealloc/physmem";
 * const e = ERROR_CATALOGUE.find((x) => x.code === "INVALID_GFP");
 * console.log(e.source, e.errorClass); // => @pagealloc/gfp InvalidGfpError
 * ```
 */
export const ERROR_CATALOGUE: readonly ErrorCatalogueEntry[] = [
  // @pagealloc/physmem
  { code: "INVALID_KERNEL_VERSION", source: "@pagealloc/physmem", errorClass: "InvalidKernelVersionError", meaning: "A kernel version string could not be understood (`uname -r` forms such as `4.18.0-80.el8.x86_64` are accepted).", example: 'parseKernelVersion("six.one")' },
  { code: "UNSUPPORTED_ARCH", source: "@pagealloc/physmem", errorClass: "UnsupportedArchError", meaning: "An unknown architecture, or an architecture / option / version combination that does not exist (e.g. 5-level paging before 4.14).", example: 'archFacts("sparc64")' },
  { code: "INVALID_MACHINE", source: "@pagealloc/physmem", errorClass: "InvalidMachineError", meaning: "A machine description has problems; `problems` lists every one with its JSON path.", example: 'loadMachine({ arch: "x86_64", nodes: [] })' },
  { code: "NO_SUCH_NODE", source: "@pagealloc/physmem", errorClass: "PageallocError", meaning: "A NUMA distance was asked for a node the machine does not have.", example: 'nodeDistance(getPreset("pc-4g"), 0, 7)' },
  { code: "UNKNOWN_PRESET", source: "@pagealloc/physmem", errorClass: "PageallocError", meaning: "A machine preset name that does not exist (the message lists the known ones).", example: 'getPreset("pc-8g")' },
  { code: "BAD_MACHINE_IMPORT", source: "@pagealloc/physmem", errorClass: "MachineImportError", meaning: "Input to a machine importer (numactl --hardware, sysfs node files) is malformed; `location` is `source:line`.", example: 'parseNumactlHardware("available: x nodes")' },
  { code: "BAD_PHYS_ADDR", source: "@pagealloc/physmem", errorClass: "PhysAddressError", meaning: "A frame-store access outside the physical memory the machine has.", example: "FrameStore.forMachine(getPreset(\"tiny-16m\")).read(0x10000000n, 4)" },
  { code: "INVALID_ARGUMENT", source: "@pagealloc/physmem", errorClass: "PageallocError", meaning: "A frame-store argument out of range (page size, pfn, length, byte value or address), or a PRNG state that is not an integer in 0..2^32-1.", example: "new FrameStore(1000)" },
  // @pagealloc/gfp
  { code: "INVALID_GFP", source: "@pagealloc/gfp", errorClass: "InvalidGfpError", meaning: "A GFP expression that does not parse: unknown flag name, bad number or misplaced `|`; `location` is the character position.", example: 'parseGfp("GFP_KERNEL|", "6.18")' },
  { code: "GFP_ZONE_BAD", source: "@pagealloc/gfp", errorClass: "BadGfpZoneError", meaning: "Zone modifiers that GFP_ZONE_BAD marks invalid (e.g. `__GFP_DMA|__GFP_HIGHMEM`); a CONFIG_DEBUG_VM kernel hits VM_BUG_ON in gfp_zone().", example: 'gfpZone(parseGfp("__GFP_DMA|__GFP_HIGHMEM"), { arch: "x86_64", version: "6.18" })' },
  { code: "GFP_MIGRATETYPE_BAD", source: "@pagealloc/gfp", errorClass: "BadGfpMigratetypeError", meaning: "Both mobility bits (__GFP_MOVABLE|__GFP_RECLAIMABLE) are set: migratetype index 3 is not an allocation type.", example: 'gfpMigratetype(parseGfp("__GFP_MOVABLE|__GFP_RECLAIMABLE"), "6.18")' },
  { code: "GFP_TABLE", source: "@pagealloc/gfp", errorClass: "GfpTableError", meaning: "An internal GFP table names a flag its era does not define: a bug in @pagealloc/gfp, not in the input.", example: "(internal consistency check; not reachable from valid calls)" },
  // @pagealloc/zones
  { code: "INVALID_SYSCTL", source: "@pagealloc/zones", errorClass: "InvalidSysctlError", meaning: "A vm.* sysctl name or value the kernel would not accept; `location` names the file or key.", example: 'parseSysctlDir({ min_free_kbytes: "-5\\n" })' },
  { code: "INVALID_ZONE_LAYOUT", source: "@pagealloc/zones", errorClass: "InvalidZoneLayoutError", meaning: "Zone layout input the kernel would not produce or accept (kernelcore=, managed overrides, sizes).", example: 'buildZones(getPreset("pc-4g"), { version: "6.18", sysctls: { kernelcore: "200%" } })' },
  { code: "INVALID_ZONELIST_REQUEST", source: "@pagealloc/zones", errorClass: "InvalidZonelistRequestError", meaning: "A zonelist request names a node or zone that does not exist.", example: "zonelistFor(zoneSet, 9)" },
  { code: "ZONEINFO_PARSE", source: "@pagealloc/zones", errorClass: "ZoneinfoParseError", meaning: "A /proc/zoneinfo text could not be understood; `location` is `zoneinfo:LINE`.", example: 'parseZoneinfo("Node 0, zone\\n  pages free x")' },
  // @pagealloc/buddy
  { code: "INVALID_BUDDYINFO", source: "@pagealloc/buddy", errorClass: "InvalidBuddyinfoError", meaning: "A /proc/buddyinfo text could not be parsed; `location` is `buddyinfo:LINE`.", example: 'parseBuddyinfo("Node 0, zone Normal 1 2 x")' },
  { code: "INVALID_ZONE_SPEC", source: "@pagealloc/buddy", errorClass: "InvalidZoneSpecError", meaning: "A zone description handed to the buddy allocator is inconsistent (managed > present, overlapping zones, ...).", example: "bootBuddy([{ ...spec, managedPages: spec.presentPages + 1 }])" },
  { code: "INVALID_BUDDY_ARGUMENT", source: "@pagealloc/buddy", errorClass: "InvalidBuddyArgumentError", meaning: "A call into the allocator with an argument the kernel would reject (bad order, pfn, CPU, or a state that does not fit).", example: "allocator.freePages(3, 99)" },
  { code: "BAD_PAGE_FREE", source: "@pagealloc/buddy", errorClass: "BadPageFreeError", meaning: "A page freed that is not allocated: double free, free of a reserved or free page, wrong order.", example: "allocator.freePages(pfn, 0); allocator.freePages(pfn, 0)" },
  { code: "BUDDY_INVARIANT", source: "@pagealloc/buddy", errorClass: "BuddyInvariantError", meaning: "checkInvariants() found the allocator state inconsistent (a bug, or state changed behind the allocator's back).", example: "allocator.zones[0].nrFreePages += 1; checkInvariants(allocator)" },
  // @pagealloc/reclaim
  { code: "INVALID_RECLAIM_ARGUMENT", source: "@pagealloc/reclaim", errorClass: "InvalidReclaimArgumentError", meaning: "A bad argument to the memory-use model or the slow path; nothing changed.", example: "reclaim.markPage(pfn, 16, PageUse.ANON) // order outside 0..15" },
  { code: "NOFAIL_STALL", source: "@pagealloc/reclaim", errorClass: "NofailStallError", meaning: "A __GFP_NOFAIL request the kernel would retry forever (nothing reclaimable, no OOM victim); the model stops and says so.", example: 'kernel.alloc_pages("GFP_KERNEL|__GFP_NOFAIL", 0) // with every page pinned' },
  // @pagealloc/page-api
  { code: "BAD_PAGE_STATE", source: "@pagealloc/page-api", errorClass: "BadPageStateError", meaning: "A page freed or put in a state the kernel's debug checks reject (\"BUG: Bad page state\"); `report` has the kernel's text; nothing changed.", example: 'k.__free_pages(k.alloc_pages("GFP_KERNEL", 1), 0)' },
  { code: "INVALID_ADDRESS", source: "@pagealloc/page-api", errorClass: "InvalidAddressError", meaning: "Not a page-aligned direct-map address, or a pfn with no page.", example: "k.free_pages(0x123n, 0)" },
  { code: "PAGE_API_ARGUMENT", source: "@pagealloc/page-api", errorClass: "PageApiArgumentError", meaning: "A call with arguments the modelled kernel rejects (negative order, CPU not online, size <= 0, ...).", example: "k.set_cpu(99)" },
  { code: "NOT_IN_THIS_KERNEL", source: "@pagealloc/page-api", errorClass: "NotInThisKernelError", meaning: "A function the selected kernel version does not have (e.g. alloc_pages_exact before 2.6.27).", example: 'bootKernel({ version: "2.6.24" }).alloc_pages_exact(8192, "GFP_KERNEL")' },
  { code: "KMAP_EXHAUSTED", source: "@pagealloc/page-api", errorClass: "KmapExhaustedError", meaning: "kmap() found no free pkmap slot (the kernel would sleep until a kunmap; the model cannot wait).", example: "1025 kmap() calls of different HighMem pages on book-i386 without kunmap" },
  { code: "SNAPSHOT_CORRUPT", source: "@pagealloc/page-api", errorClass: "SnapshotCorruptError", meaning: "A snapshot that cannot be read: bad magic, truncated, checksum mismatch, or a payload that does not describe a kernel; nothing is booted.", example: "restore(snapshot(k).subarray(0, 100))" },
  { code: "SNAPSHOT_VERSION", source: "@pagealloc/page-api", errorClass: "SnapshotVersionError", meaning: "A snapshot written in a format version this build does not read.", example: "restore(bytesWithFormatVersion99)" },
  { code: "SNAPSHOT_UNSUPPORTED", source: "@pagealloc/page-api", errorClass: "SnapshotUnsupportedError", meaning: "A kernel whose state the snapshot format cannot hold: snapshot() called from a slow-path callback while the call runs, or a slow-path option that is not plain data.", example: "snapshot(k) inside reclaim.onReport" },
  { code: "HOST_MEMORY_LIMIT", source: "@pagealloc/page-api", errorClass: "HostMemoryLimitError", meaning: "A machine whose simulation needs more host memory than allowed (`maxHostBytes`; the CLI uses the host's RAM), refused before booting with the memory it would need.", example: 'bootKernel({ machine: "server-2s-256g", maxHostBytes: 2 ** 28 })' },
  // @pagealloc/report
  { code: "INVALID_REPORT", source: "@pagealloc/report", errorClass: "InvalidReportError", meaning: "The input to the report reader is not text, or an option is out of range.", example: "parseFailureReports(42)" },
  { code: "REPORT_EXPLAIN", source: "@pagealloc/report", errorClass: "ReportExplainError", meaning: "A report cannot be explained as asked (e.g. the kernel version given is not understood).", example: 'whatIf(parseFailureReports(log).reports[0], { order: 16, gfp: "GFP_KERNEL" })' },
  // @pagealloc/workload
  { code: "SCRIPT_PARSE", source: "@pagealloc/workload", errorClass: "ScriptError", meaning: "A workload script line that does not parse; `location` is `FILE:LINE:COLUMN` (1-based).", example: 'parseScript("alloc a order=x")' },
  { code: "SCRIPT_RUNTIME", source: "@pagealloc/workload", errorClass: "ScriptError", meaning: "A workload script line that parses but cannot run (e.g. `mark` without the slow path, too many steps); `location` is `FILE:LINE:COLUMN`.", example: 'runScript(k, "alloc a order=0 gfp=GFP_KERNEL\\nmark a pagecache")' },
  { code: "TRACE_PARSE", source: "@pagealloc/workload", errorClass: "TraceParseError", meaning: "A trace line that looks like a kmem page event but whose fields cannot be read; `location` is `FILE:LINE`.", example: 'parseTraceLine("x-1 [000] ..... 1.0: mm_page_free: page=0 pfn=zz order=0", 1)' },
  { code: "SCRIPT_STATE_INVALID", source: "@pagealloc/workload", errorClass: "ScriptStateError", meaning: "A saved script state (the script section of a `run --save` snapshot) that is not the versioned JSON `encodeScriptState` writes: not UTF-8 JSON, another format or version, or a field out of range; `location` is its JSON path.", example: 'decodeScriptState(new TextEncoder().encode("{}"))' },
  { code: "WORKLOAD_ARGUMENT", source: "@pagealloc/workload", errorClass: "WorkloadArgumentError", meaning: "A bad argument to a workload function (unknown state file name, bad option value).", example: 'renderState(k, "meminfo2")' },
  // apps
  { code: "CLI_USAGE", source: "apps/cli", errorClass: "UsageError", meaning: "A command-line problem (bad option value, unreadable file); exit status 2.", example: "pagealloc run missing.pa" },
  { code: "CLI_CHECK_FAILED", source: "apps/cli", errorClass: "CheckFailedError", meaning: "An `expect` line or a --check failed; exit status 1.", example: "pagealloc run examples/fragmentation.pa --machine pc-4g" },
  { code: "CLI_INTERRUPTED", source: "apps/cli", errorClass: "InterruptedError", meaning: "A long `run` or `replay` was stopped by Ctrl-C (SIGINT) or SIGTERM at a step boundary; the summary is printed and the exit status is 130 (143 for SIGTERM).", example: "pagealloc replay big-trace.txt  # then Ctrl-C" },
  { code: "PLAYGROUND_BAD_HASH", source: "apps/docs", errorClass: "PlaygroundHashError", meaning: "A playground URL hash with an unknown or invalid field; the playground names the field and starts from the default state.", example: "#m=pc-8g" },
];
