import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import * as dbus from 'dbus-next';
import { defaultConfig } from '../../src/config/schema.js';
import { NotificationService } from '../../src/notifications/notification-service.js';
import type { NotificationsState } from '../../src/notifications/notification-store.js';
import {
  CAPABILITIES,
  NOTIFICATIONS_NAME,
  NOTIFICATIONS_PATH,
} from '../../src/notifications/notification-server.js';

/*
 * The notification service on a real session bus (a dbus-daemon of the test's own), driven by
 * the real notify-send and by a dbus-next client that listens for the spec's signals.
 */

const run = promisify(execFile);

let folder: string;
let daemon: ChildProcess;
let address: string;
let service: NotificationService;
let client: dbus.MessageBus;
/** The server's methods as a client calls them. */
interface NotificationsClient extends dbus.ClientInterface {
  Notify(...args: unknown[]): Promise<number>;
  CloseNotification(id: number): Promise<void>;
  GetCapabilities(): Promise<string[]>;
  GetServerInformation(): Promise<string[]>;
}

let notifications: NotificationsClient;
const signals: unknown[][] = [];

async function waitFor<T>(what: string, read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function waitForState(
  what: string,
  accept: (state: NotificationsState) => boolean,
): Promise<NotificationsState> {
  return waitFor(what, () => (accept(service.state) ? service.state : undefined));
}

async function notifySend(...args: string[]): Promise<string> {
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
  const { stdout } = await run('notify-send', args, { env, cwd: '/' });
  return stdout.trim();
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cexbar-bus-'));
  address = `unix:path=${join(folder, 'bus')}`;
  daemon = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', `--address=${address}`], {
    stdio: 'ignore',
  });
  await waitFor('the bus socket', () => (existsSync(join(folder, 'bus')) ? true : undefined));
  service = new NotificationService({ config: defaultConfig().notifications, busAddress: address });
  service.start();
  await waitForState('cexbar serving', (state) => state.server === 'cexbar');
  client = dbus.sessionBus({ busAddress: address });
  const object = await client.getProxyObject(NOTIFICATIONS_NAME, NOTIFICATIONS_PATH);
  notifications = object.getInterface<NotificationsClient>(NOTIFICATIONS_NAME);
  notifications.on('NotificationClosed', (id: number, reason: number) =>
    signals.push(['closed', id, reason]),
  );
  notifications.on('ActionInvoked', (id: number, key: string) => signals.push(['action', id, key]));
});

after(() => {
  client.disconnect();
  service.close();
  daemon.kill();
  rmSync(folder, { recursive: true, force: true });
});

test('the server answers GetCapabilities and GetServerInformation', async () => {
  assert.deepEqual(await notifications.GetCapabilities(), CAPABILITIES);
  const [name, vendor, , spec] = await notifications.GetServerInformation();
  assert.deepEqual([name, vendor, spec], ['cexbar', 'LXCex', '1.2']);
});

test('notify-send shows a notification, and -r replaces it in place', async () => {
  const id = await notifySend('-p', '-a', 'mail', 'New mail', 'From: Alice');
  const state = await waitForState('the notification', (s) => s.notifications.length === 1);
  assert.deepEqual(state.notifications[0], {
    id: Number(id),
    appName: 'mail',
    summary: 'New mail',
    body: 'From: Alice',
    urgency: 'normal',
    actions: [],
    resident: false,
    expires: true,
  });
  assert.equal(await notifySend('-p', '-r', id, '-u', 'critical', 'Two new mails'), id);
  const replaced = await waitForState(
    'the replacement',
    (s) => s.notifications[0]?.summary === 'Two new mails',
  );
  assert.equal(replaced.notifications.length, 1);
  const [first] = replaced.notifications;
  assert.deepEqual([first?.urgency, first?.expires], ['critical', false]);

  await notifications.CloseNotification(Number(id));
  await waitFor('NotificationClosed', () => signals.find((s) => s[1] === Number(id)));
  assert.deepEqual(signals.splice(0), [['closed', Number(id), 3]]);
  assert.deepEqual(service.state.notifications, []);
});

test('a notification expires by itself with reason 1', async () => {
  const id = await notifications.Notify('t', 0, '', 'brief', '', [], {}, 100);
  await waitFor('its expiry', () => signals.find((s) => s[1] === id));
  assert.deepEqual(signals.splice(0), [['closed', id, 1]]);
});

test('an invoked action sends ActionInvoked, then NotificationClosed as dismissed', async () => {
  const id = await notifications.Notify(
    'update',
    0,
    '',
    'Updates',
    '3 packages',
    ['install', 'Install now', 'later', 'Later'],
    {},
    0,
  );
  await waitForState('the notification', (s) => s.notifications.some((n) => n.id === id));
  service.store.invoke(id, 'install');
  await waitFor('the signals', () => (signals.length >= 2 ? true : undefined));
  assert.deepEqual(signals.splice(0), [
    ['action', id, 'install'],
    ['closed', id, 2],
  ]);
});

test('with the name taken, a second service leaves it and sends its errors there', async () => {
  const second = new NotificationService({
    config: defaultConfig().notifications,
    busAddress: address,
  });
  second.start();
  try {
    const state = await waitFor('the second service', () =>
      second.state.server === 'starting' ? undefined : second.state,
    );
    assert.equal(state.server, 'other');
    // The owner is this test's process, whose program is node.
    assert.equal(state.otherServer, 'node');
    second.reportError('cexbar: start of work failed', 'lxc-start exited with 1');
    const shown = await waitForState('the error', (s) => s.notifications.length === 1);
    assert.deepEqual(
      shown.notifications.map((n) => [n.appName, n.summary, n.body, n.urgency]),
      [['cexbar', 'cexbar: start of work failed', 'lxc-start exited with 1', 'normal']],
    );
  } finally {
    second.close();
  }
});

test('mode off releases the name, auto takes it again', async () => {
  const config = defaultConfig().notifications;
  service.configure({ ...config, mode: 'off' });
  await waitForState('off', (s) => s.server === 'off');
  service.configure(config);
  await waitForState('serving again', (s) => s.server === 'cexbar');
});
