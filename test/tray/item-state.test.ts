import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  argbToRgba,
  choosePixmap,
  parseItemAddress,
  parseItemProperties,
  parsePixmaps,
  shownIcon,
  type TrayPixmap,
} from '../../src/tray/item-state.js';

function square(size: number): TrayPixmap {
  return { width: size, height: size, argb: Buffer.alloc(size * size * 4) };
}

test('a registration names a bus name, an object path of the caller, or both', () => {
  assert.deepEqual(parseItemAddress('org.kde.StatusNotifierItem-42-1', ':1.7'), {
    busName: 'org.kde.StatusNotifierItem-42-1',
    path: '/StatusNotifierItem',
  });
  assert.deepEqual(parseItemAddress('/org/ayatana/NotificationItem/nm', ':1.7'), {
    busName: ':1.7',
    path: '/org/ayatana/NotificationItem/nm',
  });
  assert.deepEqual(parseItemAddress(':1.9/StatusNotifierItem', ':1.7'), {
    busName: ':1.9',
    path: '/StatusNotifierItem',
  });
});

test('a registration that is neither a bus name nor a path is refused', () => {
  assert.equal(parseItemAddress('not a name', ':1.7'), null);
  assert.equal(parseItemAddress('org.example/bad path', ':1.7'), null);
  assert.equal(parseItemAddress('', ':1.7'), null);
});

test('pixmaps whose data is shorter than their size says are dropped', () => {
  const good = [2, 2, Buffer.alloc(16)];
  const short = [4, 4, Buffer.alloc(16)];
  const negative = [-1, 2, Buffer.alloc(16)];
  assert.deepEqual(parsePixmaps([good, short, negative, 'junk']), [
    { width: 2, height: 2, argb: Buffer.alloc(16) },
  ]);
  assert.deepEqual(parsePixmaps(undefined), []);
});

test('the pixmap nearest the wanted size is chosen, a larger one before a smaller one', () => {
  const sizes = [16, 32, 48].map(square);
  assert.equal(choosePixmap(sizes, 22)?.width, 32);
  assert.equal(choosePixmap(sizes, 18)?.width, 16);
  assert.equal(choosePixmap(sizes, 48)?.width, 48);
  assert.equal(choosePixmap(sizes, 100)?.width, 48);
  assert.equal(choosePixmap([], 22), null);
});

test('ARGB32 in network byte order becomes RGBA', () => {
  const argb = Buffer.from([0x80, 0x11, 0x22, 0x33, 0xff, 0xaa, 0xbb, 0xcc]);
  assert.deepEqual([...argbToRgba(argb)], [0x11, 0x22, 0x33, 0x80, 0xaa, 0xbb, 0xcc, 0xff]);
});

test('properties that are missing or of the wrong type read as empty', () => {
  const item = parseItemProperties('a/b', { Id: 7, Status: 'Sleeping', Menu: '/NO_DBUSMENU' });
  assert.equal(item.id, '');
  assert.equal(item.status, 'Active');
  assert.equal(item.menuPath, null);
  assert.equal(item.toolTip, null);
  assert.deepEqual(item.iconPixmaps, []);
});

test('the tooltip keeps its title and text', () => {
  const item = parseItemProperties('a/b', { ToolTip: ['icon', [], 'Mail', '3 new'] });
  assert.deepEqual(item.toolTip, { title: 'Mail', text: '3 new' });
});

test('an item that needs attention shows its attention icon when it has one', () => {
  const base = parseItemProperties('a/b', {
    IconName: 'mail',
    AttentionIconName: 'mail-unread',
    Status: 'NeedsAttention',
  });
  assert.equal(shownIcon(base).name, 'mail-unread');
  assert.equal(shownIcon({ ...base, status: 'Active' }).name, 'mail');
  assert.equal(shownIcon({ ...base, attentionIconName: '' }).name, 'mail');
});
