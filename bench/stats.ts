/*
 * The few statistics and the table the benchmarks print: median and max, nothing fancier, since
 * a run holds about ten samples.
 */

export interface Summary {
  samples: number[];
  median: number;
  max: number;
}

/** Median and max of the samples (the median of an even count is the mean of the middle two). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? NaN)
      : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return { samples: [...samples], median, max: sorted.at(-1) ?? NaN };
}

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

/** Milliseconds with one decimal. */
export function ms(value: number): string {
  return value.toFixed(1);
}
