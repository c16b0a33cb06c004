import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { z } from 'zod';
import { SwayConnection, type RawEvent } from '../../src/sway/connection.js';
import { SwayConnectionError, SwayProtocolError } from '../../src/sway/errors.js';
import { EVENT_FLAG, EVENT_TYPE, MESSAGE_TYPE, encodeFrame } from '../../src/sway/protocol.js';
import { swayNodeSchema, versionReplySchema } from '../../src/sway/schemas.js';
import { readFixture } from './helpers/fixtures.js';
import { startScriptedFakeSway, type ScriptedFakeSway } from './helpers/scripted-fake-sway.js';

const TREE = readFixture('get-tree.json');
const VERSION = readFixture('get-version.json');
const WINDOW_EVENT = readFixture('window-event-new.json');
const WINDOW_TYPE = (EVENT_FLAG | EVENT_TYPE.window) >>> 0;
const anyJson = z.unknown();

let fake: ScriptedFakeSway | null = null;
let connection: SwayConnection | null = null;

afterEach(async () => {
  connection?.close();
  connection = null;
  await fake?.close();
  fake = null;
});

async function connectTo(server: ScriptedFakeSway): Promise<SwayConnection> {
  fake = server;
  connection = await SwayConnection.open(server.socketPath);
  return connection;
}

function collectEvents(source: SwayConnection): RawEvent[] {
  const events: RawEvent[] = [];
  source.onEvent((event) => events.push(event));
  return events;
}

describe('SwayConnection against a scripted fake Sway', () => {
  it('dispatches an event that arrives between a request and its reply as an event', async () => {
    const order: string[] = [];
    const sway = await connectTo(
      await startScriptedFakeSway((request, socket) => {
        // The event and the reply in one write, the event first: the reply must still be found.
        socket.write(
          Buffer.concat([encodeFrame(WINDOW_TYPE, WINDOW_EVENT), encodeFrame(request.type, TREE)]),
        );
      }),
    );
    sway.onEvent((event) => order.push(`event ${event.name ?? '?'}`));
    const tree = await sway.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema);
    order.push('reply');

    assert.equal(tree.type, 'root');
    assert.deepEqual(order, ['event window', 'reply']);
  });

  it('dispatches events that come before a reply in separate writes, split mid-frame', async () => {
    const sway = await connectTo(
      await startScriptedFakeSway((request, socket) => {
        const bytes = Buffer.concat([
          encodeFrame(WINDOW_TYPE, WINDOW_EVENT),
          encodeFrame(WINDOW_TYPE, WINDOW_EVENT),
          encodeFrame(request.type, VERSION),
        ]);
        for (let offset = 0; offset < bytes.length; offset += 100) {
          socket.write(bytes.subarray(offset, offset + 100));
        }
      }),
    );
    const events = collectEvents(sway);
    const version = await sway.request(MESSAGE_TYPE.GET_VERSION, '', versionReplySchema);

    assert.equal(version.human_readable, '1.7');
    assert.deepEqual(
      events.map((event) => [event.type, event.name, event.payload]),
      [
        [WINDOW_TYPE, 'window', WINDOW_EVENT],
        [WINDOW_TYPE, 'window', WINDOW_EVENT],
      ],
    );
  });

  it('matches replies to requests in order for each message type', async () => {
    const held: { type: number; serial: number }[] = [];
    let serial = 0;
    const sway = await connectTo(
      await startScriptedFakeSway((request, socket) => {
        held.push({ type: request.type, serial: (serial += 1) });
        if (held.length < 3) return;
        // Answer the GET_OUTPUTS first, then the two GET_WORKSPACES in their order.
        const sorted = [...held].sort((a, b) => b.type - a.type);
        for (const entry of sorted) {
          socket.write(encodeFrame(entry.type, JSON.stringify({ serial: entry.serial })));
        }
      }),
    );
    const replies = await Promise.all([
      sway.request(MESSAGE_TYPE.GET_WORKSPACES, '', anyJson),
      sway.request(MESSAGE_TYPE.GET_OUTPUTS, '', anyJson),
      sway.request(MESSAGE_TYPE.GET_WORKSPACES, '', anyJson),
    ]);
    assert.deepEqual(replies, [{ serial: 1 }, { serial: 2 }, { serial: 3 }]);
  });

  it('rejects a reply that cannot be read with a SwayProtocolError, and goes on', async () => {
    const sway = await connectTo(
      await startScriptedFakeSway((request, socket) => {
        const payload = request.payload === 'broken' ? '{"major": "one"}' : VERSION;
        socket.write(encodeFrame(request.type, payload));
      }),
    );
    await assert.rejects(sway.request(MESSAGE_TYPE.GET_VERSION, 'broken', versionReplySchema), {
      name: 'SwayProtocolError',
      message:
        'sway: unexpected GET_VERSION reply: Invalid input: expected number, received string ' +
        '→ at major',
    });
    const version = await sway.request(MESSAGE_TYPE.GET_VERSION, '', versionReplySchema);
    assert.equal(version.minor, 7);
  });

  it('rejects a waiting request with a SwayConnectionError when Sway closes', async () => {
    const sway = await connectTo(
      await startScriptedFakeSway((_request, socket) => {
        socket.end();
      }),
    );
    const lost: (Error | null)[] = [];
    sway.onLost((reason) => lost.push(reason));
    const path = fake?.socketPath ?? '';

    await assert.rejects(sway.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema), (error) => {
      assert.ok(error instanceof SwayConnectionError);
      assert.equal(
        error.message,
        `sway: the connection to ${path} closed before the reply to GET_TREE`,
      );
      return true;
    });
    assert.deepEqual(lost, [null]);
    assert.equal(sway.ended, true);
  });

  it('ends the connection when the stream is out of step, saying why', async () => {
    const sway = await connectTo(
      await startScriptedFakeSway((_request, socket) => {
        socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
      }),
    );
    const lost = new Promise<Error | null>((resolve) => sway.onLost(resolve));
    await assert.rejects(sway.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema), {
      name: 'SwayConnectionError',
      message: /closed before the reply to GET_TREE \(sway: stream out of step: expected the/,
    });
    const reason = await lost;
    assert.ok(reason instanceof SwayProtocolError);
  });

  it('hears no events and calls no lost listener after close()', async () => {
    const sway = await connectTo(
      await startScriptedFakeSway((_request, socket) => {
        setTimeout(() => socket.write(encodeFrame(WINDOW_TYPE, WINDOW_EVENT)), 50);
      }),
    );
    const events = collectEvents(sway);
    const lost: (Error | null)[] = [];
    sway.onLost((reason) => lost.push(reason));
    const pending = sway.request(MESSAGE_TYPE.GET_TREE, '', swayNodeSchema);
    sway.close();
    await assert.rejects(pending, SwayConnectionError);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual([events.length, lost.length], [0, 0]);
  });
});

describe('SwayConnection.open', () => {
  it('rejects with the socket path when nothing listens there', async () => {
    const path = '/nonexistent/cexbar-test/sway-ipc.sock';
    await assert.rejects(SwayConnection.open(path), (error) => {
      assert.ok(error instanceof SwayConnectionError);
      assert.equal(error.message, `sway: cannot connect to the IPC socket ${path} (ENOENT)`);
      assert.equal(error.socketPath, path);
      return true;
    });
  });
});
