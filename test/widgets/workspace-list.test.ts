import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SwayWorkspaceState } from '../../src/sway/state.js';
import {
  neighbourWorkspace,
  workspaceNumberOf,
  workspacesToShow,
} from '../../src/widgets/workspace-list.js';

/* Which workspaces a bar shows and where a scroll goes, without GTK. */

function workspace(
  name: string,
  output: string,
  flags: Partial<Pick<SwayWorkspaceState, 'focused' | 'visible' | 'urgent'>> = {},
): SwayWorkspaceState {
  return {
    id: name.length + output.length,
    name,
    num: workspaceNumberOf(name),
    output,
    focused: false,
    visible: false,
    urgent: false,
    ...flags,
  };
}

const SWAY = [
  workspace('1', 'DP-1', { focused: true, visible: true }),
  workspace('10', 'DP-1'),
  workspace('mail', 'DP-1'),
  workspace('2', 'HDMI-A-1', { visible: true }),
  workspace('chat', 'HDMI-A-1', { urgent: true }),
];

const names = (list: { name: string }[]): string[] => list.map((entry) => entry.name);

describe('workspacesToShow', () => {
  it("shows the bar's own output only, numbered by number, then named by name", () => {
    const shown = workspacesToShow(SWAY, { outputName: 'DP-1', allOutputs: false, persistent: [] });
    assert.deepEqual(names(shown), ['1', '10', 'mail']);
    assert.deepEqual(shown[0], {
      name: '1',
      focused: true,
      visible: true,
      urgent: false,
      exists: true,
    });
  });

  it('shows every output on request', () => {
    const shown = workspacesToShow(SWAY, { outputName: 'DP-1', allOutputs: true, persistent: [] });
    assert.deepEqual(names(shown), ['1', '2', '10', 'chat', 'mail']);
  });

  it('adds the persistent workspaces Sway does not have, sorted among the others, once', () => {
    const shown = workspacesToShow(SWAY, {
      outputName: 'DP-1',
      allOutputs: false,
      persistent: ['3: web', 'aa', '3: web', '1', '2'],
    });
    // "2" exists on the other output: it shows there, not here.
    assert.deepEqual(names(shown), ['1', '3: web', '10', 'aa', 'mail']);
    assert.deepEqual(
      shown.map((entry) => entry.exists),
      [true, false, true, false, true],
    );
  });
});

describe('neighbourWorkspace', () => {
  const shown = workspacesToShow(SWAY, { outputName: null, allOutputs: true, persistent: [] });

  it('goes to the next or previous shown workspace from the focused one', () => {
    assert.equal(neighbourWorkspace(shown, 'next'), '2');
    assert.equal(neighbourWorkspace(shown, 'previous'), null);
  });

  it('starts from the visible workspace on a bar whose output has not the focus', () => {
    const other = workspacesToShow(SWAY, {
      outputName: 'HDMI-A-1',
      allOutputs: false,
      persistent: [],
    });
    assert.equal(neighbourWorkspace(other, 'next'), 'chat');
    assert.equal(neighbourWorkspace(other, 'previous'), null);
  });
});
