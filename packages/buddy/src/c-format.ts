/**
 * `printf("%<width>d")` / `printf("%0<width>d")` / `printf("%-<width>d")` of an integer, as C prints it
 * (a negative number keeps its sign inside the zero padding: `%03d` of -5 is `-05`).
 */
export function cInt(value: number, width = 0, pad: "space" | "zero" | "left" = "space"): string {
  const neg = value < 0;
  const digits = String(Math.abs(Math.trunc(value)));
  if (pad === "zero") {
    const body = digits.padStart(Math.max(0, width - (neg ? 1 : 0)), "0");
    return (neg ? "-" : "") + body;
  }
  const text = (neg ? "-" : "") + digits;
  return pad === "left" ? text.padEnd(width, " ") : text.padStart(width, " ");
}

/** `printf("%<width>s")` (right-aligned) or `%-<width>s` (left-aligned). */
export function cStr(value: string, width: number, left = false): string {
  return left ? value.padEnd(width, " ") : value.padStart(width, " ");
}

/** C integer division (truncates toward zero). */
export function cDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** C remainder (sign follows the dividend). */
export function cMod(a: number, b: number): number {
  return a - cDiv(a, b) * b;
}
