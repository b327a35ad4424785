// A dmesg/syslog/logcat line prefix: "[  123.456789] ", "<4>[ 1.0] ", "kernel: ", "Feb  3 10:00:00 host kernel: ",
// Android "01-02 03:04:05.678  0  0 W " ... Only the prefix forms seen in real reports are stripped.
const PREFIXES: RegExp[] = [
  /^<\d>/, // printk log level
  /^\[\s*\d+\.\d+\]\s?/, // dmesg timestamp
  /^[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\S+\s+kernel:\s?(?:\[\s*\d+\.\d+\]\s?)?/, // syslog
];

/**
 * Remove the log prefixes (printk level, dmesg timestamp, syslog header) from one line.
 *
 * @example
 * ```ts
 * import { stripLogPrefix } from "@pagealloc/report";
 * console.log(stripLogPrefix("<4>[ 1234.567890] kworker/0:1: page allocation failure: order:4")); // => kworker/0:1: page allocation failure: order:4
 * ```
 */
export function stripLogPrefix(line: string): string {
  let out = line;
  for (const re of PREFIXES) out = out.replace(re, "");
  return out;
}
