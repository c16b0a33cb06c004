import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { SwayClient } from '../../src/sway/client.js';
import { captureStderr } from './helpers/capture-stderr.js';
import { EVENT_FLAG, EVENT_TYPE, MESSAGE_TYPE, encodeFrame } from '../../src/sway/protocol.js';
import { readFixture } from './helpers/fixtures.js';
import { waitForState } from '../helpers/wait-for-state.js';
import { startScriptedFakeSway, type ScriptedFakeSway } from './helpers/scripted-fake-sway.js';

/*
 * When events arrive relative to the client's own requests, which only a scripted fake can
 * arrange on purpose. The replies it serves were recorded from the real Sway 1.7.
 */

const REPLIES = new Map<number, string>([
  [MESSAGE_TYPE.RUN_COMMAND, '[{"success": true}]'],
  [MESSAGE_TYPE.SUBSCRIBE, '{"success": true}'],
  [MESSAGE_TYPE.GET_WORKSPACES, readFixture('get-workspaces.json')],
  [MESSAGE_TYPE.GET_OUTPUTS, readFixture('get-outputs.json')],
  [MESSAGE_TYPE.GET_TREE, readFixture('get-tree.json')],
  // As Sway 1.7 answers it outside any mode.
  [MESSAGE_TYPE.GET_BINDING_STATE, '{"name": "default"}'],
]);
const WINDOW_EVENT = encodeFrame(
  (EVENT_FLAG | EVENT_TYPE.window) >>> 0,
  readFixture('window-event-new.json'),
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the fake does with a request before its reply goes out. */
type Script = (request: { type: number; count: number }, socket: Socket) => Promise<void> | void;

let fake: ScriptedFakeSway | null = null;
let client: SwayClient | null = null;

afterEach(async () => {
  client?.close();
  client = null;
  await fake?.close();
  fake = null;
});

/** A fake Sway that answers every request from the recordings, after `script` has run. */
async function startFake(script: Script): Promise<ScriptedFakeSway> {
  const counts = new Map<number, number>();
  fake = await startScriptedFakeSway((request, socket) => {
    const count = (counts.get(request.type) ?? 0) + 1;
    counts.set(request.type, count);
    void Promise.resolve(script({ type: request.type, count }, socket)).then(() => {
      socket.write(encodeFrame(request.type, REPLIES.get(request.type) ?? '{}'));
    });
  });
  return fake;
}

function countRequests(server: ScriptedFakeSway, type: number): number {
  return server.requests.filter((request) => request.type === type).length;
}

/** Waits until the client has been quiet on the fake for a while. */
async function settle(server: ScriptedFakeSway): Promise<void> {
  let seen = -1;
  while (seen !== server.requests.length) {
    seen = server.requests.length;
    await sleep(100);
  }
}

describe('SwayClient and the timing of events', () => {
  it('takes an event that comes before the reply to SUBSCRIBE as an event', async () => {
    const server = await startFake((request, socket) => {
      if (request.type === MESSAGE_TYPE.SUBSCRIBE) socket.write(WINDOW_EVENT);
    });
    client = await SwayClient.connect(server.socketPath);
    await settle(server);

    assert.equal(client.state.connected, true);
    assert.equal(client.state.focusedView?.id, 10);
    // The first sync was asked for after those events: it already covers them.
    assert.equal(countRequests(server, MESSAGE_TYPE.GET_TREE), 1);
  });

  it('syncs once more after events that came during the first sync', async () => {
    const sockets: { events?: Socket } = {};
    const server = await startFake(async (request, socket) => {
      if (request.type === MESSAGE_TYPE.SUBSCRIBE) sockets.events = socket;
      if (request.type !== MESSAGE_TYPE.GET_TREE || request.count !== 1) return;
      for (let index = 0; index < 50; index += 1) sockets.events?.write(WINDOW_EVENT);
      await sleep(50);
    });
    client = await SwayClient.connect(server.socketPath);
    await settle(server);

    assert.equal(countRequests(server, MESSAGE_TYPE.GET_TREE), 2);
  });

  it('turns many events during one resync into exactly one more resync', async () => {
    const sockets: { events?: Socket } = {};
    const server = await startFake(async (request, socket) => {
      if (request.type === MESSAGE_TYPE.SUBSCRIBE) sockets.events = socket;
      // The resync after the first event is held until 500 more events have arrived.
      if (request.type !== MESSAGE_TYPE.GET_TREE || request.count !== 2) return;
      for (let index = 0; index < 500; index += 1) sockets.events?.write(WINDOW_EVENT);
      await sleep(100);
    });
    client = await SwayClient.connect(server.socketPath);
    assert.equal(countRequests(server, MESSAGE_TYPE.GET_TREE), 1);

    sockets.events?.write(WINDOW_EVENT);
    await sleep(50);
    await settle(server);

    assert.equal(countRequests(server, MESSAGE_TYPE.GET_TREE), 3);
    assert.equal(countRequests(server, MESSAGE_TYPE.GET_WORKSPACES), 3);
    assert.equal(countRequests(server, MESSAGE_TYPE.GET_OUTPUTS), 3);
  });

  it('opens both connections again when Sway drops only the event connection', async () => {
    const sockets: { events?: Socket } = {};
    const server = await startFake((request, socket) => {
      if (request.type === MESSAGE_TYPE.SUBSCRIBE) sockets.events = socket;
    });
    client = await SwayClient.connect(server.socketPath);
    const firstEvents = sockets.events;
    const stderr = captureStderr();
    try {
      // What Sway does to a client that falls behind in reading its events.
      sockets.events?.end();
      await sleep(100);
      // Nothing stale meanwhile: the state is empty until it has been read again.
      assert.equal(client.state.connected, false);
      assert.deepEqual(client.state.workspaces, []);
      await waitForState(client, 'connected again', (state) => state.connected);
      // The line comes once the reconnection is over, just after the state it read.
      await sleep(50);
    } finally {
      stderr.stop();
    }

    assert.notEqual(sockets.events, firstEvents);
    assert.equal(client.state.focusedView?.id, 10);
    // Subscribed again on the new event connection: two subscriptions per connection.
    assert.equal(countRequests(server, MESSAGE_TYPE.SUBSCRIBE), 4);
    assert.deepEqual(stderr.lines, [
      `cexbar: warn: sway: lost the connection to ${server.socketPath} (Sway closed it); ` +
        'reconnecting',
      `cexbar: sway: reconnected to ${server.socketPath}; state read again`,
    ]);
    await client.command('workspace 2');
    assert.equal(countRequests(server, MESSAGE_TYPE.RUN_COMMAND), 1);
  });
});
