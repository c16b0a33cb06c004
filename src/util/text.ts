/*
 * Window titles and names come from containers and are untrusted. They are only ever shown as
 * plain text (never as Pango markup, so `<b>` and `&` stay literal); this file makes them safe to
 * lay out on one line. Invalid UTF-8 never gets here: Sway passes a title's bytes through its
 * JSON unchecked, and the IPC reader decodes each message with U+FFFD for every bad sequence.
 */

/** What stands in for a character that must not be shown. */
export const REPLACEMENT = '\uFFFD';

// C0 and C1 control characters (tab and newline included: a title is one line), and the line
// and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

// In a `u` regular expression a surrogate pair is one code point: only lone halves match.
const LONE_SURROGATES = /\p{Cs}/gu;

/**
 * Bidirectional embeddings, overrides and isolates: invisible, they reorder the text after them
 * ("txt.exe" shown as "exe.txt"). Dropped, not replaced: right-to-left text needs none of them
 * to render, Pango finds each run's direction itself.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * At most this many code units of one grapheme are kept: a letter with hundreds of combining
 * marks stacked on it would otherwise paint far above and below the bar. The longest emoji
 * sequences in use are about 20.
 */
const MAX_GRAPHEME_UNITS = 32;

/** A cut text ends with this. */
const ELLIPSIS = '…';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Replaces control characters and lone surrogates with U+FFFD, drops bidirectional controls,
 * and cuts the text to `maxLength` user-visible characters (graphemes, so a combining accent
 * stays with its letter and a surrogate pair is never split), marking a cut with "…".
 */
export function toDisplayText(text: string, maxLength: number): string {
  // A 100 kB title must not cost a full segmentation: no more than this many code units are
  // looked at, enough for maxLength graphemes in any real text.
  const budget = maxLength * 16;
  const bounded = text.length > budget ? sliceCodePoints(text, budget) : text;
  const clean = bounded
    .replace(LONE_SURROGATES, REPLACEMENT)
    .replace(CONTROL_CHARACTERS, REPLACEMENT)
    .replace(BIDI_CONTROLS, '');
  const graphemes: string[] = [];
  for (const { segment } of segmenter.segment(clean)) {
    if (graphemes.length === maxLength) return cut(graphemes, maxLength);
    graphemes.push(limitGrapheme(segment));
  }
  if (bounded.length === text.length) return graphemes.join('');
  // The slice may have split the last grapheme (an accent from its letter): it goes with the
  // cut, unless it is the only one.
  const whole = graphemes.length > 1 ? graphemes.slice(0, -1) : graphemes;
  return cut(whole, Math.min(maxLength, whole.length + 1));
}

/** The first `keep - 1` graphemes and the ellipsis: `keep` characters in all. */
function cut(graphemes: string[], keep: number): string {
  return graphemes.slice(0, Math.max(0, keep - 1)).join('') + ELLIPSIS;
}

/** The first `units` code units, one less when that would split a surrogate pair. */
function sliceCodePoints(text: string, units: number): string {
  const last = text.charCodeAt(units - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? units - 1 : units);
}

function limitGrapheme(segment: string): string {
  if (segment.length <= MAX_GRAPHEME_UNITS) return segment;
  let kept = '';
  for (const codePoint of segment) {
    if (kept.length + codePoint.length > MAX_GRAPHEME_UNITS) break;
    kept += codePoint;
  }
  return kept;
}

/**
 * FNV-1a over UTF-16 code units, as 8 hex digits: tells a benchmark's titles apart in a trace
 * without writing the titles themselves to a log.
 */
export function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
