import { createConnection, type Socket } from 'node:net';

/*
 * A pointer for the headless Sway, which has none: a minimal Wayland client of the
 * zwlr_virtual_pointer_v1 protocol (wlr-protocols), written on the bare wire format because
 * no Wayland client library exists for Node. It moves the cursor, scrolls and clicks as a
 * mouse would; Sway sends the result to whatever surface is under the cursor.
 *
 * Wire format: each message is the object id (u32), then (size << 16 | opcode) (u32), then the
 * arguments; a string is its length with the NUL (u32) and its bytes, padded to 4; a fixed is
 * a 24.8 fixed-point number.
 */

const DISPLAY_ID = 1;
const REGISTRY_ID = 2;
const SYNC_ID = 3;
const MANAGER_ID = 4;
const SEAT_ID = 5;
const POINTER_ID = 6;

const DISPLAY_SYNC = 0;
const DISPLAY_GET_REGISTRY = 1;
const REGISTRY_BIND = 0;
const MANAGER_CREATE_POINTER = 0;
const POINTER = {
  motionAbsolute: 1,
  button: 2,
  axis: 3,
  frame: 4,
  axisSource: 5,
  axisDiscrete: 7,
} as const;

const AXIS = { vertical: 0, horizontal: 1 } as const;
const AXIS_SOURCE_WHEEL = 0;
/** One wheel notch, as libinput reports it. */
const WHEEL_STEP = 15;
/** Linux input event codes (linux/input-event-codes.h). */
const BUTTONS = { left: 0x110, right: 0x111, middle: 0x112 } as const;

export type PointerButton = keyof typeof BUTTONS;
export type WheelAxis = keyof typeof AXIS;

type Arg = { u: number } | { i: number } | { fixed: number } | { s: string };

function encode(objectId: number, opcode: number, args: Arg[]): Buffer {
  const parts = args.map((arg): Buffer => {
    if ('s' in arg) {
      const text = Buffer.from(`${arg.s}\0`, 'utf8');
      const padded = Buffer.alloc(4 + Math.ceil(text.length / 4) * 4);
      padded.writeUInt32LE(text.length, 0);
      text.copy(padded, 4);
      return padded;
    }
    const word = Buffer.alloc(4);
    if ('u' in arg) word.writeUInt32LE(arg.u >>> 0, 0);
    else if ('i' in arg) word.writeInt32LE(arg.i, 0);
    else word.writeInt32LE(Math.round(arg.fixed * 256), 0);
    return word;
  });
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(objectId, 0);
  header.writeUInt32LE(((8 + body.length) << 16) | opcode, 4);
  return Buffer.concat([header, body]);
}

interface Global {
  name: number;
  interface: string;
  version: number;
}

function readString(buffer: Buffer, offset: number): [string, number] {
  const length = buffer.readUInt32LE(offset);
  const text = buffer.toString('utf8', offset + 4, offset + 4 + Math.max(0, length - 1));
  return [text, offset + 4 + Math.ceil(length / 4) * 4];
}

export class VirtualPointer {
  readonly #socket: Socket;
  readonly #width: number;
  readonly #height: number;
  #time = 0;

  private constructor(socket: Socket, width: number, height: number) {
    this.#socket = socket;
    this.#width = width;
    this.#height = height;
  }

  /** Connects to the Wayland socket and creates a pointer on the seat of a layout this large. */
  static async open(socketPath: string, width: number, height: number): Promise<VirtualPointer> {
    const socket = createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const globals = await readGlobals(socket);
    const manager = globals.find((g) => g.interface === 'zwlr_virtual_pointer_manager_v1');
    const seat = globals.find((g) => g.interface === 'wl_seat');
    if (manager === undefined || seat === undefined) {
      socket.destroy();
      throw new Error('harness: this compositor has no zwlr_virtual_pointer_manager_v1 or seat');
    }
    const bind = (global: Global, id: number, version: number): Buffer =>
      encode(REGISTRY_ID, REGISTRY_BIND, [
        { u: global.name },
        { s: global.interface },
        { u: version },
        { u: id },
      ]);
    socket.write(bind(manager, MANAGER_ID, 1));
    socket.write(bind(seat, SEAT_ID, 1));
    socket.write(encode(MANAGER_ID, MANAGER_CREATE_POINTER, [{ u: SEAT_ID }, { u: POINTER_ID }]));
    return new VirtualPointer(socket, width, height);
  }

  #send(opcode: number, args: Arg[]): void {
    this.#socket.write(encode(POINTER_ID, opcode, args));
  }

  /**
   * The events' time in milliseconds, as a real device gives it: GTK reads it (a menu ignores
   * a button release within its first half second, a double click is two clicks close in time),
   * so made-up steps would turn two quick clicks into a double click. Always moving forward.
   */
  #now(): { u: number } {
    this.#time = Math.max(this.#time + 1, Math.round(performance.now())) % 2 ** 32;
    return { u: this.#time };
  }

  /** Puts the cursor at (x, y) in layout coordinates. */
  moveTo(x: number, y: number): void {
    this.#send(POINTER.motionAbsolute, [
      this.#now(),
      { u: x },
      { u: y },
      { u: this.#width },
      { u: this.#height },
    ]);
    this.#send(POINTER.frame, []);
  }

  /** Turns the wheel by whole notches: positive down (or right), negative up (or left). */
  scroll(notches: number, axis: WheelAxis = 'vertical'): void {
    const time = this.#now();
    this.#send(POINTER.axisSource, [{ u: AXIS_SOURCE_WHEEL }]);
    this.#send(POINTER.axisDiscrete, [
      time,
      { u: AXIS[axis] },
      { fixed: notches * WHEEL_STEP },
      { i: notches },
    ]);
    this.#send(POINTER.frame, []);
  }

  /** A click (press and release) of `button` where the cursor is. */
  click(button: PointerButton = 'left'): void {
    for (const state of [1, 0]) {
      this.#send(POINTER.button, [this.#now(), { u: BUTTONS[button] }, { u: state }]);
      this.#send(POINTER.frame, []);
    }
  }

  /** Resolves once the compositor has handled everything sent so far (a round trip). */
  sync(): Promise<void> {
    return roundTrip(this.#socket);
  }

  /** Waits until the compositor has read everything sent so far, then disconnects. */
  async close(): Promise<void> {
    await roundTrip(this.#socket);
    this.#socket.destroy();
  }
}

/** Sends wl_display.sync and resolves once its callback's done event arrives. */
function roundTrip(socket: Socket, onMessage?: (id: number, op: number, body: Buffer) => void) {
  return new Promise<void>((resolve, reject) => {
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readUInt32LE(4) >>> 16;
        if (pending.length < size) break;
        const id = pending.readUInt32LE(0);
        const opcode = pending.readUInt32LE(4) & 0xffff;
        const body = pending.subarray(8, size);
        pending = pending.subarray(size);
        if (id === DISPLAY_ID && opcode === 0) {
          socket.off('data', onData);
          const [message] = readString(body, 8);
          reject(new Error(`harness: Wayland error from the compositor: ${message}`));
          return;
        }
        if (id === SYNC_ID) {
          socket.off('data', onData);
          resolve();
          return;
        }
        onMessage?.(id, opcode, body);
      }
    };
    socket.on('data', onData);
    socket.write(encode(DISPLAY_ID, DISPLAY_SYNC, [{ u: SYNC_ID }]));
  });
}

async function readGlobals(socket: Socket): Promise<Global[]> {
  const globals: Global[] = [];
  socket.write(encode(DISPLAY_ID, DISPLAY_GET_REGISTRY, [{ u: REGISTRY_ID }]));
  await roundTrip(socket, (id, opcode, body) => {
    if (id !== REGISTRY_ID || opcode !== 0) return;
    const [name, next] = [body.readUInt32LE(0), 4];
    const [iface, after] = readString(body, next);
    globals.push({ name, interface: iface, version: body.readUInt32LE(after) });
  });
  return globals;
}
