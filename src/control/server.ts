import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { describeError, log } from '../util/log.js';
import { socketAnswers } from '../util/socket.js';
import { controlRequestSchema, type ControlReply, type ControlRequest } from './protocol.js';

/** Answers one request; a thrown error becomes an `ok: false` reply with its message. */
export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

/** A request line longer than this is refused: nothing we accept comes near it. */
const MAX_REQUEST_BYTES = 64 * 1024;

export class ControlSocketBusyError extends Error {
  constructor(readonly path: string) {
    super(`another cexbar is already running in this session (its control socket ${path} answers)`);
    this.name = 'ControlSocketBusyError';
  }
}

async function handleLine(line: string, handler: ControlHandler): Promise<ControlReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: 'the request is not JSON' };
  }
  const parsed = controlRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: `invalid request: ${issue?.message ?? 'unknown problem'} at ${issue?.path.join('.') ?? ''}`,
    };
  }
  try {
    return { ok: true, result: await handler(parsed.data) };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function serveConnection(socket: Socket, handler: ControlHandler): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_REQUEST_BYTES) {
      socket.end(JSON.stringify({ ok: false, error: 'request too long' }) + '\n');
      return;
    }
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      void handleLine(line, handler).then((reply) => {
        if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n');
      });
      newline = buffered.indexOf('\n');
    }
  });
}

/**
 * Listens on `path` (mode 0600, in a folder of mode 0700). A socket left by a panel that died is
 * replaced; one that still answers means a second panel, which would stack a second bar: refused.
 */
export async function startControlServer(path: string, handler: ControlHandler): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (await socketAnswers(path)) throw new ControlSocketBusyError(path);
  try {
    unlinkSync(path);
  } catch {
    // No stale socket to remove.
  }
  const server = createServer((socket) => serveConnection(socket, handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  server.on('error', (error) => log.warn('control', `socket error (${describeError(error)})`));
  return server;
}
