export declare function extractExamples(markdown: string): string[];
export declare function runExample(
  code: string,
  modules: Record<string, unknown>,
): Promise<{ printed: string[]; checks: { expected: string; actual: string; line: number }[] }>;
export declare function extractJsdocExamples(dir: string): [string, string][];
