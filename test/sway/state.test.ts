import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  outputsReplySchema,
  swayNodeSchema,
  workspacesReplySchema,
} from '../../src/sway/schemas.js';
import {
  buildSwayState,
  collectViews,
  sortWorkspaces,
  type SwayWorkspaceState,
} from '../../src/sway/state.js';
import { readFixtureJson } from './helpers/fixtures.js';

const TERMINAL = 'org.freedesktop.weston.wayland-terminal';

function recordedState() {
  return buildSwayState('/run/user/1001/sway-ipc.sock', {
    workspaces: workspacesReplySchema.parse(readFixtureJson('get-workspaces.json')),
    outputs: outputsReplySchema.parse(readFixtureJson('get-outputs.json')),
    tree: swayNodeSchema.parse(readFixtureJson('get-tree.json')),
  });
}

function workspace(name: string, num: number): SwayWorkspaceState {
  return { id: 0, name, num, output: 'HEADLESS-1', focused: false, visible: false, urgent: false };
}

describe('the state built from Sway’s replies', () => {
  it('lists every view in tree order, with its workspace and output', () => {
    const views = recordedState().views;
    assert.deepEqual(
      views.map(({ id, workspace, output, focused }) => ({ id, workspace, output, focused })),
      [
        // The scratchpad's view lives on Sway's hidden output and workspace.
        { id: 12, workspace: null, output: null, focused: false },
        { id: 7, workspace: '1', output: 'HEADLESS-1', focused: false },
        { id: 8, workspace: '1', output: 'HEADLESS-1', focused: false },
        { id: 10, workspace: '1', output: 'HEADLESS-1', focused: true },
        { id: 11, workspace: '1', output: 'HEADLESS-1', focused: false },
        { id: 14, workspace: '3: mail', output: 'HEADLESS-1', focused: false },
      ],
    );
    for (const view of views) {
      assert.equal(view.appId, TERMINAL);
      assert.match(view.title, /^cexbar@.+: \/$/);
      assert.equal(typeof view.pid, 'number');
      assert.equal(view.urgent, false);
    }
  });

  it('names the focused view, the outputs and the sorted workspaces', () => {
    const state = recordedState();
    assert.equal(state.connected, true);
    assert.equal(state.socketPath, '/run/user/1001/sway-ipc.sock');
    assert.equal(state.focusedView?.id, 10);
    assert.deepEqual(
      state.workspaces.map((entry) => entry.name),
      ['1', '2', '3: mail'],
    );
    assert.deepEqual(state.outputs, [
      {
        name: 'HEADLESS-1',
        active: true,
        focused: true,
        rect: { x: 0, y: 0, width: 1280, height: 720 },
      },
      {
        name: 'HEADLESS-2',
        active: true,
        focused: false,
        rect: { x: 1280, y: 0, width: 1920, height: 1080 },
      },
    ]);
  });

  it('builds equal states from equal replies, so that the client stays quiet', () => {
    assert.deepEqual(recordedState(), recordedState());
  });

  it('has no focused view when the focus is on an empty workspace', () => {
    const raw = readFixtureJson('get-tree.json');
    const tree = swayNodeSchema.parse(
      JSON.parse(JSON.stringify(raw).replace(/"focused":true/g, '"focused":false')),
    );
    assert.equal(
      collectViews(tree).find((view) => view.focused),
      undefined,
    );
  });
});

describe('sortWorkspaces', () => {
  it('puts numbered workspaces first by number, then named ones by name', () => {
    const sorted = sortWorkspaces([
      workspace('mail', -1),
      workspace('10', 10),
      workspace('2: web', 2),
      workspace('Zed', -1),
      workspace('1  x', 1),
      workspace('1', 1),
      workspace('a"b', -1),
      workspace('2', 2),
    ]);
    assert.deepEqual(
      sorted.map((entry) => entry.name),
      ['1', '1  x', '2', '2: web', '10', 'Zed', 'a"b', 'mail'],
    );
  });
});
