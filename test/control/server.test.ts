import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sendControlRequest } from '../../src/control/client.js';
import { controlSocketPath, type ControlRequest } from '../../src/control/protocol.js';
import { ControlSocketBusyError, startControlServer } from '../../src/control/server.js';

const runtimeDir = mkdtempSync(join(tmpdir(), 'cexbar-control-'));
const path = controlSocketPath(runtimeDir);
after(() => rmSync(runtimeDir, { recursive: true, force: true }));

function rawRequest(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => socket.write(line + '\n'));
    socket.setEncoding('utf8');
    socket.once('data', (reply: string) => {
      socket.end();
      resolve(reply.trim());
    });
    socket.once('error', reject);
  });
}

test('the control socket answers requests and refuses malformed ones', async () => {
  const server = await startControlServer(path, (request) => {
    if (request.command === 'activate' && request.item === 'broken') {
      return Promise.reject(new Error('broken: lxc-start failed'));
    }
    return Promise.resolve({ echo: request });
  });
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(await sendControlRequest(path, { command: 'state' }), {
      echo: { command: 'state' },
    });
    await assert.rejects(
      sendControlRequest(path, { command: 'activate', module: 'containers', item: 'broken' }),
      { message: 'broken: lxc-start failed' },
    );
    assert.equal(await rawRequest('not json'), '{"ok":false,"error":"the request is not JSON"}');
    assert.match(await rawRequest('{"command":"reboot"}'), /"ok":false,"error":"invalid request/);

    await assert.rejects(
      startControlServer(path, () => Promise.resolve(null)),
      ControlSocketBusyError,
    );
  } finally {
    server.close();
  }
});

test('a panel that died leaves a socket the next one replaces', async () => {
  // A process killed while listening leaves its socket file behind, answering nobody.
  const listener = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ]);
  await once(listener.stdout, 'data');
  listener.kill('SIGKILL');
  await once(listener, 'exit');
  assert.ok(existsSync(path));
  const second = await startControlServer(path, () => Promise.resolve(2));
  try {
    assert.equal(await sendControlRequest(path, { command: 'state' }), 2);
  } finally {
    second.close();
  }
});

test('a request to no panel says that none is running', async () => {
  await assert.rejects(sendControlRequest(join(runtimeDir, 'none.sock'), { command: 'state' }), {
    message: `no cexbar is running here (nothing answers at ${join(runtimeDir, 'none.sock')})`,
  });
});

test('a container action must be one of the menu verbs, on the containers module', async () => {
  const server = await startControlServer(path, (request) => Promise.resolve({ echo: request }));
  try {
    const request = { command: 'action', module: 'containers', item: 'work', action: 'stop' };
    assert.deepEqual(await sendControlRequest(path, request as ControlRequest), { echo: request });
    for (const bad of [
      { ...request, action: 'destroy' },
      { ...request, module: 'workspaces' },
      { ...request, action: 'stop --force' },
      { command: 'menu', module: 'containers', item: '' },
    ]) {
      assert.match(
        await rawRequest(JSON.stringify(bad)),
        /^\{"ok":false,"error":"invalid request: /,
      );
    }
  } finally {
    server.close();
  }
});
