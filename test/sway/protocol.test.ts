import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwayProtocolError } from '../../src/sway/errors.js';
import {
  EVENT_FLAG,
  EVENT_TYPE,
  FrameDecoder,
  HEADER_LENGTH,
  MESSAGE_TYPE,
  describeMessageType,
  encodeFrame,
  eventNameOf,
  isEventType,
  type Frame,
} from '../../src/sway/protocol.js';
import { readFixture } from './helpers/fixtures.js';

const TREE = readFixture('get-tree.json');
const WINDOW_EVENT = readFixture('window-event-new.json');
const WINDOW_TYPE = EVENT_FLAG | EVENT_TYPE.window;

/** A realistic stream: a reply, an event, an empty payload, a multi-byte title. */
function sampleFrames(): Frame[] {
  return [
    { type: MESSAGE_TYPE.GET_TREE, payload: TREE },
    { type: WINDOW_TYPE >>> 0, payload: WINDOW_EVENT },
    { type: MESSAGE_TYPE.GET_VERSION, payload: '' },
    { type: MESSAGE_TYPE.RUN_COMMAND, payload: '[{"success":true,"title":"Zürich 🚆 naïve"}]' },
  ];
}

function encodeAll(frames: Frame[]): Buffer {
  return Buffer.concat(frames.map((frame) => encodeFrame(frame.type, frame.payload)));
}

/** Feeds `bytes` in chunks of the given sizes (cycled) and returns every frame decoded. */
function decodeInChunks(bytes: Buffer, sizes: number[]): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  let offset = 0;
  for (let index = 0; offset < bytes.length; index += 1) {
    const size = sizes[index % sizes.length] ?? 1;
    frames.push(...decoder.push(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  return frames;
}

describe('the i3-ipc framing', () => {
  it('writes the magic, then the length and type as 32-bit little-endian integers', () => {
    const frame = encodeFrame(MESSAGE_TYPE.GET_TREE, 'é');
    assert.deepEqual([...frame], [...Buffer.from('i3-ipc'), 2, 0, 0, 0, 4, 0, 0, 0, 0xc3, 0xa9]);
  });

  it('tells events from replies by the high bit of the type', () => {
    assert.equal(isEventType(WINDOW_TYPE), true);
    assert.equal(isEventType(MESSAGE_TYPE.GET_TREE), false);
    assert.equal(eventNameOf(WINDOW_TYPE), 'window');
    assert.equal(eventNameOf((EVENT_FLAG | 0x42) >>> 0), null);
    assert.equal(describeMessageType(WINDOW_TYPE), 'window event');
    assert.equal(describeMessageType((EVENT_FLAG | 0x42) >>> 0), 'event type 66');
    assert.equal(describeMessageType(MESSAGE_TYPE.GET_WORKSPACES), 'GET_WORKSPACES');
    assert.equal(describeMessageType(55), 'type 55');
  });
});

describe('FrameDecoder', () => {
  it('decodes several frames that arrive in one read', () => {
    const frames = sampleFrames();
    assert.deepEqual(new FrameDecoder().push(encodeAll(frames)), frames);
  });

  it('decodes the same frames fed one byte at a time', () => {
    const frames = sampleFrames();
    assert.deepEqual(decodeInChunks(encodeAll(frames), [1]), frames);
  });

  it('decodes frames whatever the chunk sizes, headers and UTF-8 sequences split included', () => {
    const frames = sampleFrames();
    const bytes = encodeAll(frames);
    for (const sizes of [[2], [13, 1], [HEADER_LENGTH], [7, 4096, 3], [65536], [1000, 1, 17]]) {
      assert.deepEqual(decodeInChunks(bytes, sizes), frames, `chunks of ${sizes.join(', ')}`);
    }
  });

  it('returns nothing until a frame is complete, then exactly that frame', () => {
    const decoder = new FrameDecoder();
    const bytes = encodeFrame(MESSAGE_TYPE.GET_TREE, TREE);
    assert.deepEqual(decoder.push(bytes.subarray(0, 5)), []);
    assert.deepEqual(decoder.push(bytes.subarray(5, bytes.length - 1)), []);
    assert.deepEqual(decoder.push(bytes.subarray(bytes.length - 1)), [
      { type: MESSAGE_TYPE.GET_TREE, payload: TREE },
    ]);
    assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
  });

  it('throws a SwayProtocolError as soon as the magic is wrong', () => {
    const decoder = new FrameDecoder();
    assert.throws(() => decoder.push(Buffer.from('i3-x')), {
      name: 'SwayProtocolError',
      message: 'sway: stream out of step: expected the "i3-ipc" magic, received "i3-x"',
    });
  });

  it('throws a SwayProtocolError for a length over the limit instead of buffering it', () => {
    const header = encodeFrame(MESSAGE_TYPE.GET_TREE, '');
    header.writeUInt32LE(0xffffffff, 6);
    assert.throws(
      () => new FrameDecoder().push(header),
      (error: unknown) =>
        error instanceof SwayProtocolError &&
        error.message ===
          'sway: stream out of step: a payload of 4294967295 bytes is over the ' +
            '67108864-byte limit',
    );
  });
});
