import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  LABEL_COLOURS,
  LABEL_COLOUR_HEX,
  labelColourOf,
} from '../../src/containers/label-colours.js';

const STYLESHEET = join(__dirname, '..', '..', '..', 'ui', 'style.css');

test('every palette colour has a background and a readable text colour', () => {
  assert.deepEqual(Object.keys(LABEL_COLOUR_HEX), [...LABEL_COLOURS]);
  for (const { background, text } of Object.values(LABEL_COLOUR_HEX)) {
    assert.match(background, /^#[0-9a-f]{6}$/);
    assert.ok(text === '#ffffff' || text === '#000000');
  }
});

test("a container's colour is the configured one, or the same pick for the same name", () => {
  assert.equal(labelColourOf('work', 'black'), 'black');
  assert.equal(labelColourOf('work'), labelColourOf('work'));
  const picks = new Set(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => labelColourOf(n)),
  );
  assert.ok(picks.size > 2, `ten names got only ${[...picks].join(', ')}`);
  assert.ok(!picks.has('grey') && !picks.has('black'));
});

test("ui/style.css gives each colour's class the same background and text as the palette", () => {
  const css = readFileSync(STYLESHEET, 'utf8');
  for (const colour of LABEL_COLOURS) {
    const rule = new RegExp(`\\.label-${colour} \\{([^}]*)\\}`).exec(css);
    assert.ok(rule, `no .label-${colour} rule in ui/style.css`);
    const { background, text } = LABEL_COLOUR_HEX[colour];
    assert.match(rule[1] ?? '', new RegExp(`background-color: ${background};`));
    assert.match(rule[1] ?? '', new RegExp(`\\bcolor: ${text};`));
  }
});
