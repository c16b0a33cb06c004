import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestWord, editDistance } from '../../src/config/did-you-mean.js';

test('the edit distance counts insertions, deletions, replacements and swaps as one each', () => {
  assert.equal(editDistance('clock', 'clock'), 0);
  assert.equal(editDistance('clok', 'clock'), 1);
  assert.equal(editDistance('clocks', 'clock'), 1);
  assert.equal(editDistance('clack', 'clock'), 1);
  assert.equal(editDistance('maxLenght', 'maxLength'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('the closest known word is offered only when it is a few mistakes away', () => {
  const keys = ['modules', 'height', 'window', 'clock', 'containers'];
  assert.equal(closestWord('clok', keys), 'clock');
  assert.equal(closestWord('hieght', keys), 'height');
  assert.equal(closestWord('Modules', keys), 'modules');
  assert.equal(closestWord('container', keys), 'containers');
  assert.equal(closestWord('theme', keys), null);
  assert.equal(closestWord('x', keys), null);
  assert.equal(closestWord('clock', []), null);
});

test('of two close words the nearer one is offered', () => {
  assert.equal(closestWord('widht', ['width', 'height']), 'width');
  assert.equal(closestWord('heigt', ['width', 'height']), 'height');
});
