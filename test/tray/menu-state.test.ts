import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Variant } from 'dbus-next';
import { findEntry, parseMenuNode } from '../../src/tray/menu-state.js';

function node(id: number, properties: Record<string, Variant>, children: Variant[] = []) {
  return new Variant('(ia{sv}av)', [id, properties, children]);
}

test('a GetLayout tree becomes entries with their labels, kinds and children', () => {
  const layout = [
    0,
    { 'children-display': new Variant('s', 'submenu') },
    [
      node(1, { label: new Variant('s', '_Open') }),
      node(2, { type: new Variant('s', 'separator') }),
      node(3, {
        label: new Variant('s', 'Mute'),
        'toggle-type': new Variant('s', 'checkmark'),
        'toggle-state': new Variant('i', 1),
      }),
      node(4, { label: new Variant('s', 'More'), enabled: new Variant('b', false) }, [
        node(5, { label: new Variant('s', 'Hidden'), visible: new Variant('b', false) }),
      ]),
    ],
  ];
  const root = parseMenuNode(layout);
  assert.ok(root !== null);
  assert.deepEqual(
    root.children.map((entry) => [entry.id, entry.label, entry.type, entry.enabled]),
    [
      [1, '_Open', 'standard', true],
      [2, '', 'separator', true],
      [3, 'Mute', 'standard', true],
      [4, 'More', 'standard', false],
    ],
  );
  assert.deepEqual(root.children[2]?.toggle, { type: 'checkmark', on: true });
  assert.equal(findEntry(root, 5)?.visible, false);
  assert.equal(findEntry(root, 9), null);
});

test('a node that is not (ia{sv}av) is left out', () => {
  assert.equal(parseMenuNode('nonsense'), null);
  const root = parseMenuNode([0, {}, [new Variant('s', 'x'), node(1, {})]]);
  assert.deepEqual(
    root?.children.map((entry) => entry.id),
    [1],
  );
});
