/*
 * Window titles and names come from containers and are untrusted. They are only ever shown as
 * plain text (never as Pango markup); this file makes them safe to lay out on one line.
 */

// C0 and C1 control characters, and the line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Replaces control characters with U+FFFD and cuts the text to `maxLength` user-visible
 * characters (graphemes, so a combining accent stays with its letter), marking a cut with "…".
 */
export function toDisplayText(text: string, maxLength: number): string {
  // A 100 kB title must not cost a full segmentation: no more than this many code units can
  // make up maxLength graphemes in any realistic text.
  const bounded = text.length > maxLength * 16 ? text.slice(0, maxLength * 16) : text;
  const clean = bounded.replace(CONTROL_CHARACTERS, '\uFFFD');
  const graphemes: string[] = [];
  for (const { segment } of segmenter.segment(clean)) {
    if (graphemes.length === maxLength) return graphemes.slice(0, maxLength - 1).join('') + '…';
    graphemes.push(segment);
  }
  return bounded.length < text.length ? graphemes.slice(0, -1).join('') + '…' : graphemes.join('');
}
