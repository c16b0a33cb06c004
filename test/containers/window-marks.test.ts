import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SwayTitleMarker,
  markedTitleFormat,
  usesPangoMarkup,
} from '../../src/containers/window-marks.js';
import type { OwnedWindow, WindowOwnersState } from '../../src/containers/window-owners.js';
import { Observable } from '../../src/util/observable.js';

class Owners extends Observable<WindowOwnersState> {
  update(next: WindowOwnersState): void {
    this.set(next);
  }
}

function window(id: number, owner: string | null, title = `window ${id}`): OwnedWindow {
  return {
    id,
    pid: id * 10,
    title,
    workspace: '1',
    output: 'HEADLESS-1',
    focused: false,
    urgent: false,
    owner,
    ownedBy: owner === null ? 'host' : 'session',
  };
}

function state(...windows: OwnedWindow[]): WindowOwnersState {
  const owners = [...new Set(windows.map((w) => w.owner))];
  return {
    groups: owners.map((owner) => ({
      owner,
      colour: owner === null ? null : 'red',
      windows: windows.filter((w) => w.owner === owner),
    })),
  };
}

test('the font decides whether the mark is markup, the last font line winning', () => {
  assert.equal(usesPangoMarkup('font pango:DejaVu Sans 10\n'), true);
  assert.equal(usesPangoMarkup('font monospace 10\n'), false);
  assert.equal(usesPangoMarkup('font pango:Sans 9\n  font monospace 10\n'), false);
  assert.equal(usesPangoMarkup('bar {\n}\n'), false);
});

test("the mark is the name in its colour before Sway's own %title placeholder", () => {
  assert.equal(
    markedTitleFormat('work', 'red', true),
    "<span background='#d64545' foreground='#ffffff' weight='bold'> work </span> %title",
  );
  assert.equal(markedTitleFormat('work', 'red', false), '[work] %title');
});

test('a window is marked when its owner changes, never on a title change', () => {
  const owners = new Owners(state(window(1, 'work'), window(2, null)));
  const sent: string[] = [];
  const marker = new SwayTitleMarker(
    owners,
    {
      command: (text) => {
        sent.push(text);
        return Promise.resolve();
      },
    },
    false,
  );
  assert.deepEqual(sent, ['[con_id=1] title_format "[work] %title"']);
  owners.update(state(window(1, 'work', 'renamed'), window(2, null, 'renamed too')));
  assert.equal(sent.length, 1);
  owners.update(state(window(1, null), window(2, null), window(3, 'bank')));
  assert.deepEqual(sent.slice(1), [
    '[con_id=1] title_format "%title"',
    '[con_id=3] title_format "[bank] %title"',
  ]);
  marker.close();
  owners.update(state(window(4, 'work')));
  assert.equal(sent.length, 3);
});
