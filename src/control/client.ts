import { createConnection } from 'node:net';
import type { ControlReply, ControlRequest } from './protocol.js';

/** Sends one request to a running panel and returns its reply's result, or throws its error. */
export function sendControlRequest(
  path: string,
  request: ControlRequest,
  timeoutMs = 30_000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from the panel at ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      const reply = JSON.parse(buffered.slice(0, newline)) as ControlReply;
      if (reply.ok) resolve(reply.result);
      else reject(new Error(reply.error));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason =
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? `no cexbar is running here (nothing answers at ${path})`
          : `cannot reach the panel at ${path}: ${error.message}`;
      reject(new Error(reason, { cause: error }));
    });
  });
}
