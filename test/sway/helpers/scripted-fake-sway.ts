import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameDecoder, type Frame } from '../../../src/sway/protocol.js';

/*
 * A scripted stand-in for Sway on a Unix socket. It exists for the one thing a real Sway cannot
 * be made to do on demand: write an event, or a reply out of order, at an exact point between a
 * request and its reply. Everything else is tested against the real headless Sway.
 */

export interface ScriptedFakeSway {
  socketPath: string;
  /** The requests received so far, in order. */
  requests: Frame[];
  close(): Promise<void>;
}

/** Calls `onRequest` with every request and the socket to answer on, however it likes. */
export async function startScriptedFakeSway(
  onRequest: (request: Frame, socket: Socket) => void,
): Promise<ScriptedFakeSway> {
  const dir = mkdtempSync(join(tmpdir(), 'cexbar-fake-sway-'));
  const socketPath = join(dir, 'fake-sway.sock');
  const requests: Frame[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        requests.push(frame);
        onRequest(frame, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
