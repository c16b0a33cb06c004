import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_FLAG, EVENT_TYPE } from '../../src/sway/protocol.js';
import {
  commandReplySchema,
  outputsReplySchema,
  parsePayload,
  parseSwayEvent,
  swayNodeSchema,
  versionReplySchema,
  windowEventSchema,
  workspaceEventSchema,
  workspacesReplySchema,
  type SwayNode,
} from '../../src/sway/schemas.js';
import { readFixture, readFixtureJson } from './helpers/fixtures.js';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value));
  return value as Json;
}

function asList(value: unknown): Json[] {
  assert.ok(Array.isArray(value));
  return value.map(asObject);
}

/** The recorded tree's nodes in tree order, as raw JSON objects to alter. */
function rawNodes(node: Json): Json[] {
  return [
    node,
    ...asList(node.nodes).flatMap(rawNodes),
    ...asList(node.floating_nodes).flatMap(rawNodes),
  ];
}

function parsedNodes(node: SwayNode): SwayNode[] {
  return [node, ...node.nodes.flatMap(parsedNodes), ...node.floating_nodes.flatMap(parsedNodes)];
}

describe('the schemas read what the real Sway 1.7 sent', () => {
  it('reads the recorded tree: outputs, workspaces, splits, floating and scratchpad views', () => {
    const tree = swayNodeSchema.parse(readFixtureJson('get-tree.json'));
    const nodes = parsedNodes(tree);
    assert.deepEqual(
      nodes.map((node) => node.type),
      [
        'root',
        'output',
        'workspace',
        'floating_con',
        'output',
        'workspace',
        'con',
        'con',
        'con',
        'con',
        'floating_con',
        'workspace',
        'con',
        'output',
        'workspace',
      ],
    );
    const split = nodes.find((node) => node.type === 'con' && node.nodes.length > 0);
    assert.ok(split !== undefined);
    // Sway sends a split's name as null and leaves out pid and app_id altogether.
    assert.deepEqual([split.name, split.pid, split.app_id, split.window], [null, null, null, null]);
    const workspace = nodes.find((node) => node.name === '3: mail');
    assert.deepEqual([workspace?.num, workspace?.output], [3, 'HEADLESS-1']);
  });

  it('reads the recorded workspaces, outputs, version and a failed command', () => {
    const workspaces = workspacesReplySchema.parse(readFixtureJson('get-workspaces.json'));
    assert.deepEqual(
      workspaces.map(({ name, num, output, focused, visible, urgent }) => ({
        name,
        num,
        output,
        focused,
        visible,
        urgent,
      })),
      [
        { name: '1', num: 1, output: 'HEADLESS-1', focused: true, visible: true, urgent: false },
        {
          name: '3: mail',
          num: 3,
          output: 'HEADLESS-1',
          focused: false,
          visible: false,
          urgent: false,
        },
        { name: '2', num: 2, output: 'HEADLESS-2', focused: false, visible: true, urgent: false },
      ],
    );
    const outputs = outputsReplySchema.parse(readFixtureJson('get-outputs.json'));
    assert.deepEqual(
      outputs.map(({ name, active, focused, rect }) => ({ name, active, focused, rect })),
      [
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
      ],
    );
    assert.equal(versionReplySchema.parse(readFixtureJson('get-version.json')).major, 1);
    assert.deepEqual(commandReplySchema.parse(readFixtureJson('run-command-failed.json')), [
      { success: false, parse_error: true, error: "Unknown/invalid command 'nonsense'" },
    ]);
  });

  it('reads the recorded window and workspace events, a reload with null workspaces too', () => {
    const window = windowEventSchema.parse(readFixtureJson('window-event-new.json'));
    assert.equal(window.change, 'new');
    assert.equal(window.container.app_id, 'org.freedesktop.weston.wayland-terminal');
    assert.equal(window.container.name, null);

    const focus = workspaceEventSchema.parse(readFixtureJson('workspace-event-focus.json'));
    assert.deepEqual(
      [focus.change, focus.current?.name, focus.old?.name],
      ['focus', '3: mail', '1'],
    );
    const reload = workspaceEventSchema.parse(readFixtureJson('workspace-event-reload.json'));
    assert.deepEqual(reload, { change: 'reload', current: null, old: null });
  });
});

describe('the schemas tolerate what a later Sway may add', () => {
  it('accepts unknown fields and unknown node types and layouts anywhere in the tree', () => {
    const raw = asObject(readFixtureJson('get-tree.json'));
    for (const node of rawNodes(raw)) node.hdr_metadata = { future: true };
    const firstView = rawNodes(raw).find((node) => node.type === 'con');
    assert.ok(firstView !== undefined);
    firstView.type = 'tiled_con';
    firstView.layout = 'spiral';

    const tree = swayNodeSchema.parse(raw);
    assert.ok(parsedNodes(tree).some((node) => node.type === 'tiled_con'));
    // Unknown fields are dropped rather than carried along.
    assert.equal('hdr_metadata' in tree, false);
  });

  it('accepts unknown event changes and extra fields in events', () => {
    const raw = asObject(readFixtureJson('window-event-new.json'));
    raw.change = 'teleport';
    raw.origin = 'somewhere';
    asObject(raw.container).sandbox_engine = 'flatpak';
    const event = parseSwayEvent(EVENT_FLAG | EVENT_TYPE.window, JSON.stringify(raw));
    assert.equal(event.name, 'window');
    assert.equal(event.body.change, 'teleport');
  });

  it('accepts workspaces and outputs with extra fields and a disabled output', () => {
    const workspaces = asList(readFixtureJson('get-workspaces.json'));
    for (const workspace of workspaces) workspace.tearing_allowed = false;
    assert.equal(workspacesReplySchema.parse(workspaces).length, 3);

    const outputs = asList(readFixtureJson('get-outputs.json'));
    const disabled = { name: 'HDMI-A-1', active: false, make: 'x', power: false };
    const parsed = outputsReplySchema.parse([...outputs, disabled]);
    assert.deepEqual(parsed.at(-1), {
      name: 'HDMI-A-1',
      active: false,
      focused: false,
      rect: { x: 0, y: 0, width: 0, height: 0 },
      current_workspace: null,
    });
  });
});

describe('parsePayload and parseSwayEvent', () => {
  it('types a recorded event by its name', () => {
    const event = parseSwayEvent(
      (EVENT_FLAG | EVENT_TYPE.workspace) >>> 0,
      readFixture('workspace-event-focus.json'),
    );
    assert.equal(event.name, 'workspace');
  });

  it('rejects an event it does not subscribe to, naming it', () => {
    assert.throws(() => parseSwayEvent(EVENT_FLAG | EVENT_TYPE.tick, '{}'), {
      name: 'SwayProtocolError',
      message: 'sway: unexpected tick event',
    });
  });

  it('says which reply was wrong, what was wrong, and where', () => {
    const workspaces = asList(readFixtureJson('get-workspaces.json'));
    const second = workspaces[1];
    assert.ok(second !== undefined);
    second.num = 'three';
    assert.throws(
      () => parsePayload('GET_WORKSPACES reply', JSON.stringify(workspaces), workspacesReplySchema),
      {
        name: 'SwayProtocolError',
        message:
          'sway: unexpected GET_WORKSPACES reply: Invalid input: expected number, received ' +
          'string → at 1.num',
      },
    );
  });

  it('says a reply is not JSON with the parser’s reason', () => {
    assert.throws(() => parsePayload('GET_TREE reply', '{"id": 1', swayNodeSchema), {
      name: 'SwayProtocolError',
      message: /^sway: the GET_TREE reply is not JSON \(.+\)$/,
    });
  });
});
