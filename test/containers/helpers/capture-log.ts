/** The lines cexbar logs to stderr while capturing; the test asserts exactly what a user reads. */
export interface LogCapture {
  readonly lines: string[];
  restore(): void;
}

export function captureLog(): LogCapture {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  // Only cexbar's own lines are taken; the test runner's output passes through untouched.
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith('cexbar: '))
      return Reflect.apply(original, process.stderr, [chunk, ...rest]) as boolean;
    lines.push(...text.split('\n').filter((line) => line !== ''));
    return true;
  };
  process.stderr.write = write;
  return {
    lines,
    restore: () => {
      process.stderr.write = original;
    },
  };
}
