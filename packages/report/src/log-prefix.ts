// The prefixes that logging layers put in front of a kernel message. Every pattern is anchored at
// the start of the line and has no nested quantifiers, so stripping is linear in the line length.
const PREFIXES: readonly (readonly [kind: string, re: RegExp])[] = [
  // mail quoting: "> ", "> > ", ">>"
  ["quote", /^(?:>[ \t]?)+/],
  // Android logcat, threadtime format: "01-02 03:04:05.678     0     0 W " (+ an empty or "kernel" tag ": ")
  ["logcat", /^\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+\s+[VDIWEFS]\s+(?:(?:kernel)?\s*:\s)?/],
  // Android kernel log dumps with a date only: "07-13 08:41:51.341 " (then "<4>[309805.658142s][pid:1361,cpu5,comm]")
  ["logcat", /^\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d{3}\s+(?=<\d>|\[)/],
  // Android logcat, brief format: "W/kernel  (    0): "
  ["logcat", /^[VDIWEF]\/[\w.-]{0,32}\s*\(\s*\d+\):\s?/],
  // syslog / journalctl short and short-precise: "Mar  3 10:00:00 host kernel: "
  ["syslog", /^[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+\S+\s+kernel:\s?/],
  // RFC 3339 syslog / journalctl short-iso: "2026-03-03T10:00:00.123456+01:00 host kernel: "
  ["syslog", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+\S+\s+kernel:\s?/],
  // journalctl -o cat with the identifier, or a bare "kernel: "
  ["syslog", /^kernel:\s/],
  // `dmesg -x` facility and level: "kern  :warn  : "
  ["loglevel", /^[a-z]{2,8}\s*:[a-z]{2,8}\s*: /],
  // printk log level as read from /dev/kmsg or `dmesg -r`: "<4>"
  ["loglevel", /^<\d>/],
  // dmesg timestamp "[  123.456789] " (also the elided "[  ...  ] " of mailed reports is NOT a timestamp)
  ["timestamp", /^\[\s*\d+\.\d+s?\]\s?/],
  // a timestamp whose digits the poster scrubbed: "[ ] "
  ["timestamp", /^\[ ?\] /],
  // the same timestamp whose "[" a copy from a terminal cut off: "122365.832373] " (six decimals, as printk prints them)
  ["timestamp", /^\d+\.\d{6}\]\s/],
  // dmesg -T human timestamp "[Tue Mar  3 10:00:00 2026] "
  ["timestamp", /^\[[A-Z][a-z]{2} [A-Z][a-z]{2}\s+\d{1,2} \d\d:\d\d:\d\d \d{4}\]\s?/],
  // CONFIG_PRINTK_CALLER: "[  T156] " / "[    C1] "; vendor Android kernels: "[pid:1361,cpu5,sManagerService]"
  ["caller", /^\[\s*[TC]\d+\]\s?/],
  ["caller", /^\[pid:\d+,cpu\d+,[^\]]{0,32}\]/],
];

const LEADING_BLANKS_RE = /^[ \t]+/;
/** The printk caller id inside a caller prefix: `T156` (task), `C1` (CPU, in interrupt context), or the vendor `pid:N`. */
const CALLER_ID_RE = /[TC]\d+|pid:\d+/;

/** The prefix kinds `stripLogPrefix` recognises, in the order they may be nested. */
export type LogPrefixKind = "quote" | "logcat" | "syslog" | "loglevel" | "timestamp" | "caller";

/**
 * Split one line into the kinds of log prefix found at its start and the kernel's text.
 * Nested prefixes (a quoted syslog line with a dmesg timestamp) are all removed. With CONFIG_PRINTK_CALLER
 * (or a vendor `[pid:N,cpuN,comm]` tag) `caller` is the id of the task or CPU that printed the line.
 *
 * @param line - one line of a log (without its newline)
 * @returns the prefix kinds in the order found and the remaining text
 * @example
 * ```ts
 * import { splitLogPrefix } from "@pagealloc/report";
 * const s = splitLogPrefix("> Mar  3 10:00:00 host kernel: [  12.5] Mem-Info:");
 * console.log(s.kinds.join(","), s.text); // => quote,syslog,timestamp Mem-Info:
 * ```
 */
export function splitLogPrefix(line: string): { kinds: LogPrefixKind[]; text: string; caller?: string } {
  let text = line;
  const kinds: LogPrefixKind[] = [];
  let caller: string | undefined;
  // Each pass removes at least one character, and a line carries only a few prefixes.
  for (let pass = 0; pass < 8; pass++) {
    let matched = false;
    // Articles and mails indent pasted logs ("    kernel: …", " CPU: 0 PID: 1 …"): blanks before a prefix go with it.
    const indent = LEADING_BLANKS_RE.exec(text)?.[0].length ?? 0;
    for (const [kind, re] of PREFIXES) {
      const m = re.exec(indent === 0 ? text : text.slice(indent));
      if (m && m[0].length > 0) {
        text = text.slice(indent + m[0].length);
        kinds.push(kind as LogPrefixKind);
        if (kind === "caller") caller = CALLER_ID_RE.exec(m[0])?.[0] ?? caller;
        matched = true;
        break;
      }
    }
    if (!matched) break;
  }
  return caller === undefined ? { kinds, text } : { kinds, text, caller };
}

/**
 * Remove the log prefixes (mail quote, logcat, syslog header, printk level, dmesg timestamp,
 * printk caller id) from one line.
 *
 * @param line - one line of a log
 * @returns the kernel's text of that line
 * @example
 * ```ts
 * import { stripLogPrefix } from "@pagealloc/report";
 * console.log(stripLogPrefix("<4>[ 1234.567890] kworker/0:1: page allocation failure: order:4")); // => kworker/0:1: page allocation failure: order:4
 * ```
 */
export function stripLogPrefix(line: string): string {
  return splitLogPrefix(line).text;
}
