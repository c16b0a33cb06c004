/*
 * "Did you mean" hints for misspelt config keys. A hint is offered only when one known key is
 * a few typing mistakes away; a wrong guess is worse than no guess.
 */

/**
 * How many edits turn `a` into `b`: inserting, deleting or replacing a character, or swapping
 * two neighbours ("hieght" → "height"), each count as one.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const same = a[i - 1] === b[j - 1];
      let best = Math.min(
        (rows[i - 1]?.[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (rows[i - 1]?.[j - 1] ?? 0) + (same ? 0 : 1),
      );
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** Mistakes allowed before a known word stops looking like what was meant: one per 3 letters. */
function allowedEdits(word: string, known: string): number {
  return Math.max(1, Math.floor(Math.max(word.length, known.length) / 3));
}

/** The known word that `word` most likely misspells, or null when none is close enough. */
export function closestWord(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= allowedEdits(word, candidate) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
