import { createConnection, type Socket } from 'node:net';
import type { z } from 'zod';
import { log } from '../util/log.js';
import type { Unsubscribe } from '../util/observable.js';
import { SwayConnectionError } from './errors.js';
import {
  FrameDecoder,
  describeMessageType,
  encodeFrame,
  eventNameOf,
  isEventType,
  type EventName,
  type Frame,
} from './protocol.js';
import { parsePayload } from './schemas.js';

/*
 * One socket to Sway: requests with their replies, and the events it carries. Sway answers the
 * requests of one connection in order, but an event may come between a request and its reply,
 * so frames are told apart by their type's high bit, and replies are matched to requests in
 * order for each message type.
 */

/** An event as it came; its payload is parsed only by whoever needs its content. */
export interface RawEvent {
  /** The type as sent, EVENT_FLAG included. */
  type: number;
  /** Null for an event type this version of cexbar does not know. */
  name: EventName | null;
  payload: string;
}

/** Why a connection ended without close(): null when Sway simply closed it. */
export type LostListener = (reason: Error | null) => void;

interface WaitingRequest {
  resolve: (payload: string) => void;
  reject: (error: Error) => void;
}

export class SwayConnection {
  readonly socketPath: string;
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #waiting = new Map<number, WaitingRequest[]>();
  readonly #eventListeners = new Set<(event: RawEvent) => void>();
  readonly #lostListeners = new Set<LostListener>();
  #failure: Error | null = null;
  #ended = false;
  #closedByUs = false;

  private constructor(socketPath: string, socket: Socket) {
    this.socketPath = socketPath;
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk);
    });
    // 'close' always follows 'error'; the error only says why.
    socket.on('error', (error) => {
      this.#failure ??= error;
    });
    socket.on('close', () => {
      this.#end();
    });
  }

  /** Opens the socket; rejects with a SwayConnectionError naming the path when it cannot. */
  static open(socketPath: string): Promise<SwayConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath);
      const fail = (error: NodeJS.ErrnoException): void => {
        const detail = error.code ?? error.message;
        const message = `sway: cannot connect to the IPC socket ${socketPath} (${detail})`;
        reject(new SwayConnectionError(socketPath, message, { cause: error }));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve(new SwayConnection(socketPath, socket));
      });
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends one request and resolves with its reply as `schema` reads it. A reply that is not JSON
   * or does not fit the schema rejects with a SwayProtocolError.
   */
  async request<S extends z.ZodType>(
    type: number,
    payload: string,
    schema: S,
  ): Promise<z.output<S>> {
    const reply = await this.#send(type, payload);
    return parsePayload(`${describeMessageType(type)} reply`, reply, schema);
  }

  onEvent(listener: (event: RawEvent) => void): Unsubscribe {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Called once when Sway closes the connection or it fails; never after close(). */
  onLost(listener: LostListener): Unsubscribe {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /** Ends the connection; requests still waiting reject, and no more events arrive. */
  close(): void {
    this.#closedByUs = true;
    this.#eventListeners.clear();
    this.#socket.destroy();
    this.#end();
  }

  #send(type: number, payload: string): Promise<string> {
    if (this.#ended) return Promise.reject(this.#closedError(type));
    return new Promise((resolve, reject) => {
      this.#queueFor(type).push({ resolve, reject });
      this.#socket.write(encodeFrame(type, payload));
    });
  }

  #queueFor(type: number): WaitingRequest[] {
    let queue = this.#waiting.get(type);
    if (queue === undefined) {
      queue = [];
      this.#waiting.set(type, queue);
    }
    return queue;
  }

  #receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      // Nothing after a broken frame can be found again: the stream is lost.
      this.#socket.destroy(error as Error);
      return;
    }
    for (const frame of frames) {
      if (this.#ended) return;
      if (isEventType(frame.type)) this.#emitEvent(frame);
      else this.#settleReply(frame);
    }
  }

  #emitEvent(frame: Frame): void {
    const event: RawEvent = {
      type: frame.type,
      name: eventNameOf(frame.type),
      payload: frame.payload,
    };
    for (const listener of [...this.#eventListeners]) listener(event);
  }

  #settleReply(frame: Frame): void {
    const waiting = this.#waiting.get(frame.type)?.shift();
    if (waiting === undefined) {
      log.debug('sway', `ignored a ${describeMessageType(frame.type)} reply nobody asked for`);
      return;
    }
    waiting.resolve(frame.payload);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const [type, queue] of this.#waiting) {
      for (const waiting of queue.splice(0)) waiting.reject(this.#closedError(type));
    }
    if (this.#closedByUs) return;
    for (const listener of [...this.#lostListeners]) listener(this.#failure);
  }

  #closedError(type: number): SwayConnectionError {
    const reason = this.#failure === null ? '' : ` (${this.#failure.message})`;
    return new SwayConnectionError(
      this.socketPath,
      `sway: the connection to ${this.socketPath} closed before the reply to ` +
        `${describeMessageType(type)}${reason}`,
      this.#failure === null ? undefined : { cause: this.#failure },
    );
  }
}
