import { SwayProtocolError } from './errors.js';

/*
 * The i3-ipc wire format Sway speaks (sway-ipc(7)), without any I/O: every message is the magic
 * string "i3-ipc", the payload's length and the message type as 32-bit little-endian integers,
 * then the payload, JSON encoded as UTF-8. Replies carry the type of the request they answer;
 * events carry their own type with the high bit set.
 */

export const IPC_MAGIC = Buffer.from('i3-ipc', 'ascii');

/** Magic, payload length, message type. */
export const HEADER_LENGTH = IPC_MAGIC.length + 8;

/**
 * Far beyond any real reply (a tree with tens of thousands of windows); a larger length means
 * the stream is out of step, and buffering that much would only exhaust memory.
 */
export const MAX_PAYLOAD_LENGTH = 64 * 1024 * 1024;

/** Request types; a reply has the type of its request. */
export const MESSAGE_TYPE = {
  RUN_COMMAND: 0,
  GET_WORKSPACES: 1,
  SUBSCRIBE: 2,
  GET_OUTPUTS: 3,
  GET_TREE: 4,
  GET_MARKS: 5,
  GET_BAR_CONFIG: 6,
  GET_VERSION: 7,
  GET_BINDING_MODES: 8,
  GET_CONFIG: 9,
  SEND_TICK: 10,
  SYNC: 11,
  GET_BINDING_STATE: 12,
  GET_INPUTS: 100,
  GET_SEATS: 101,
} as const;

export type MessageTypeName = keyof typeof MESSAGE_TYPE;

/** Set in the type of every event, never in a reply. */
export const EVENT_FLAG = 0x80000000;

/** Event types without EVENT_FLAG, under the names SUBSCRIBE takes. */
export const EVENT_TYPE = {
  workspace: 0,
  output: 1,
  mode: 2,
  window: 3,
  barconfig_update: 4,
  binding: 5,
  shutdown: 6,
  tick: 7,
  bar_state_update: 0x14,
  input: 0x15,
} as const;

export type EventName = keyof typeof EVENT_TYPE;

export interface Frame {
  /** The type as sent, EVENT_FLAG included. */
  type: number;
  /** The payload decoded from UTF-8; a malformed sequence becomes U+FFFD. */
  payload: string;
}

const MESSAGE_TYPE_NAMES = new Map<number, string>(
  Object.entries(MESSAGE_TYPE).map(([name, type]) => [type, name]),
);

const EVENT_NAMES = new Map<number, EventName>(
  Object.entries(EVENT_TYPE).map(([name, code]) => [code, name as EventName]),
);

export function isEventType(type: number): boolean {
  return (type & EVENT_FLAG) !== 0;
}

/** The event's name, or null for an event this table does not know yet. */
export function eventNameOf(type: number): EventName | null {
  return EVENT_NAMES.get((type & ~EVENT_FLAG) >>> 0) ?? null;
}

/** A type as a reader wants to see it in an error: `GET_TREE`, `window event`, `type 42`. */
export function describeMessageType(type: number): string {
  if (isEventType(type)) {
    const name = eventNameOf(type);
    return name === null ? `event type ${(type & ~EVENT_FLAG) >>> 0}` : `${name} event`;
  }
  return MESSAGE_TYPE_NAMES.get(type) ?? `type ${type}`;
}

/** One message on the wire. */
export function encodeFrame(type: number, payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(HEADER_LENGTH);
  IPC_MAGIC.copy(header, 0);
  header.writeUInt32LE(body.length, IPC_MAGIC.length);
  header.writeUInt32LE(type >>> 0, IPC_MAGIC.length + 4);
  return Buffer.concat([header, body]);
}

/**
 * Cuts a byte stream into frames, whatever the chunking: a frame split over many reads, or many
 * frames in one read. A stream out of step (wrong magic, absurd length) throws a
 * SwayProtocolError; nothing after it can be trusted, so the caller drops the connection.
 */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /**
   * Bytes the frame being read needs, once its header is known: a large reply comes in many
   * chunks, and concatenating them all on each one would cost time quadratic in its size.
   */
  #needed = 0;

  push(chunk: Buffer): Frame[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return [];

    const buffer = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      const length = readPayloadLength(buffer, offset);
      if (length === null || buffer.length - offset < HEADER_LENGTH + length) {
        // While the header is incomplete, each chunk is looked at: a wrong magic fails early.
        this.#needed = length === null ? 0 : HEADER_LENGTH + length;
        break;
      }
      frames.push(readFrame(buffer, offset, length));
      offset += HEADER_LENGTH + length;
    }
    this.#keep(buffer.subarray(offset));
    return frames;
  }

  #keep(rest: Buffer): void {
    this.#chunks = rest.length === 0 ? [] : [rest];
    this.#buffered = rest.length;
  }
}

/** The payload length of the frame at `offset`, or null while its header is incomplete. */
function readPayloadLength(buffer: Buffer, offset: number): number | null {
  const available = buffer.length - offset;
  const magicPart = Math.min(available, IPC_MAGIC.length);
  // Checked as soon as the first bytes arrive, so garbage fails fast rather than waiting.
  if (!buffer.subarray(offset, offset + magicPart).equals(IPC_MAGIC.subarray(0, magicPart))) {
    throw new SwayProtocolError(
      `sway: stream out of step: expected the "i3-ipc" magic, received ` +
        JSON.stringify(buffer.subarray(offset, offset + magicPart).toString('latin1')),
    );
  }
  if (available < HEADER_LENGTH) return null;

  const length = buffer.readUInt32LE(offset + IPC_MAGIC.length);
  if (length > MAX_PAYLOAD_LENGTH) {
    throw new SwayProtocolError(
      `sway: stream out of step: a payload of ${length} bytes is over the ` +
        `${MAX_PAYLOAD_LENGTH}-byte limit`,
    );
  }
  return length;
}

function readFrame(buffer: Buffer, offset: number, length: number): Frame {
  const type = buffer.readUInt32LE(offset + IPC_MAGIC.length + 4);
  const start = offset + HEADER_LENGTH;
  return { type, payload: buffer.toString('utf8', start, start + length) };
}
