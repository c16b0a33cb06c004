import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toDisplayText } from '../../src/util/text.js';

const graphemes = (text: string): string[] =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map(
    ({ segment }) => segment,
  );

describe('toDisplayText', () => {
  it('keeps markup as the characters it is made of', () => {
    assert.equal(toDisplayText('<b>x</b> & y', 80), '<b>x</b> & y');
    assert.equal(
      toDisplayText('&amp; <span foreground="red">', 80),
      '&amp; <span foreground="red">',
    );
  });

  it('replaces control characters, tabs and newlines included, with U+FFFD', () => {
    assert.equal(toDisplayText('a\tb\nc\r\u0007d\u007f\u009be\u2028f', 80), 'a�b�c��d��e�f');
  });

  it('replaces lone surrogates and keeps pairs', () => {
    assert.equal(toDisplayText('a\ud800b\udc00c😀', 80), 'a�b�c😀');
  });

  it('keeps U+FFFD that the IPC reader put in place of invalid UTF-8', () => {
    const decoded = Buffer.from('caf\xe9 \xff', 'latin1').toString('utf8');
    assert.equal(toDisplayText(decoded, 80), 'caf� �');
  });

  it('drops bidirectional overrides and isolates, so they cannot reorder a title', () => {
    assert.equal(toDisplayText('invoice\u202egpj.exe', 80), 'invoicegpj.exe');
    assert.equal(toDisplayText('\u2068שלום\u2069 - editor', 80), 'שלום - editor');
  });

  it('keeps right-to-left text and combining marks as they are', () => {
    const title = 'مرحبا بالعالم · שלום · cafe\u0301 man\u0303ana';
    assert.equal(toDisplayText(title, 80), title);
  });

  it('cuts to maxLength graphemes, the ellipsis included, never inside one', () => {
    const decomposed = 'e\u0301'.repeat(10);
    assert.equal(toDisplayText(decomposed, 4), 'e\u0301e\u0301e\u0301…');
    assert.equal(toDisplayText('😀'.repeat(10), 3), '😀😀…');
    assert.equal(toDisplayText('🇫🇷🇩🇪🇮🇹', 2), '🇫🇷…');
    assert.equal(toDisplayText('abc', 3), 'abc');
    assert.equal(toDisplayText('abcd', 3), 'ab…');
  });

  it('cuts a 100 kB title to maxLength without splitting a pair at the limit', () => {
    const shown = toDisplayText('x'.repeat(100_000), 80);
    assert.equal(graphemes(shown).length, 80);
    assert.ok(shown.endsWith('…'));
    // 16 code units a grapheme are looked at: with long graphemes the limit falls inside the
    // surrogate pair of the 320th emoji here.
    const long = 'x'.repeat(16) + ('😀' + '\u0301'.repeat(15)).repeat(400);
    const astral = toDisplayText(long, 340);
    assert.equal(astral.includes('\ufffd'), false);
    assert.ok(astral.endsWith('…'));
    assert.ok(graphemes(astral).length <= 340);
  });

  it('keeps a letter with hundreds of combining marks to a bounded size', () => {
    const zalgo = 'a' + '\u0301'.repeat(500) + 'b';
    assert.equal(toDisplayText(zalgo, 80), 'a' + '\u0301'.repeat(31) + 'b');
  });

  it('returns an empty title as it is', () => {
    assert.equal(toDisplayText('', 80), '');
  });
});
