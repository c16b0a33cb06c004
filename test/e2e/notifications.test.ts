import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { startDbusSession, type DbusSession } from '../../scripts/harness/dbus-session.js';
import { countColour, hex, type Image } from '../../scripts/harness/image.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { runAsUser } from '../../scripts/harness/run-as-user.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { screenshot as screenshotOf, waitForScreen as waitForScreenOf } from './helpers/screen.js';

/*
 * Desktop notifications on real parts: a headless Sway, a real session bus, the real panel,
 * notify-send as the desktop user, and dbus-next clients of the test. The headless seat has no
 * pointer: buttons are pressed through the control socket, as `cexbar msg` would.
 */

const NAME = 'org.freedesktop.Notifications';
const CARD_NORMAL = hex('#2b3140');
const CARD_CRITICAL = hex('#4a1f24');
// Where a 360-pixel popup sits: the top-right corner of the 1280x720 output, below the bar.
const POPUP_AREA = { x: 1280 - 380, y: 28, width: 380, height: 300 };
const LEFT_OF_POPUP = { x: 0, y: 28, width: 1280 - 380, height: 300 };

let session: SwaySession;
let bus: DbusSession;
let panel: PanelProcess;
let client: Peer;
const cleanUps: (() => Promise<void>)[] = [];

/** A notification-peer program of the test (scripts/harness/notification-peer.ts). */
interface Peer {
  events: Record<string, unknown>[];
  send(request: unknown): void;
  waitFor(what: string, accept: (event: Record<string, unknown>) => boolean): Promise<unknown>;
  stop(): Promise<void>;
}

async function startPeer(mode: 'client' | 'daemon'): Promise<Peer> {
  const program = join(appDir(), 'dist', 'scripts', 'harness', 'notification-peer.js');
  const child = session.spawn(
    ['node', program, mode],
    { stdio: ['pipe', 'pipe', 'pipe'] },
    bus.env,
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout as Readable }).on('line', (line) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  };
  cleanUps.push(stop);
  const peer: Peer = {
    events,
    stop,
    send: (request) => child.stdin?.write(`${JSON.stringify(request)}\n`),
    waitFor: async (what, accept) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = events.find(accept);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(`no ${what} from ${mode}: ${JSON.stringify(events)} ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  await peer.waitFor('start', (event) => event.ready === true);
  return peer;
}

async function notifySend(...args: string[]): Promise<string> {
  const { stdout } = await runAsUser(session.user, ['notify-send', ...args], {
    ...session.userEnv(),
    ...bus.env,
  });
  return stdout.trim();
}

function shown(state: PanelSnapshot): PanelSnapshot['notifications']['notifications'] {
  return state.notifications.notifications;
}

/** The NotificationClosed the client saw for a notification. */
function closedSignal(id: number): Promise<unknown> {
  return client.waitFor(
    'NotificationClosed',
    (e) => e.signal === 'NotificationClosed' && e.id === id,
  );
}

const screenshot = (name: string): Promise<Image> => screenshotOf(session, name);
const waitForScreen = (name: string, accept: (image: Image) => boolean): Promise<Image> =>
  waitForScreenOf(session, name, accept);

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  bus = await startDbusSession(session);
  cleanUps.push(() => bus.stop());
  panel = await startPanel(session, {
    config: '{ "modules": ["workspaces", "clock"] }\n',
    env: bus.env,
  });
  cleanUps.push(() => panel.stop());
  await panel.waitForState('cexbar serving', (s) => s.notifications.server === 'cexbar');
  client = await startPeer('client');
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('cexbar serves the notifications when no other program does, and says so', () => {
  assert.match(
    panel.log(),
    /cexbar: notifications: serving org\.freedesktop\.Notifications on the session bus\n/,
  );
});

test('notify-send shows a popup in the top-right corner, and -r replaces it', async () => {
  const id = await notifySend('-p', '-t', '0', '-a', 'mail', 'New mail', 'From: Alice\nHi!');
  const state = await panel.waitForState('the notification', (s) => shown(s).length === 1);
  assert.deepEqual(shown(state), [
    {
      id: Number(id),
      appName: 'mail',
      summary: 'New mail',
      body: 'From: Alice\nHi!',
      urgency: 'normal',
      actions: [],
      resident: false,
      expires: false,
    },
  ]);
  const image = await waitForScreen(
    'notification-popup',
    (i) => countColour(i, CARD_NORMAL, POPUP_AREA) > 10_000,
  );
  assert.ok(countColour(image, CARD_NORMAL, POPUP_AREA) > 10_000, 'the card is drawn');
  assert.equal(countColour(image, CARD_NORMAL, LEFT_OF_POPUP), 0, 'and only in the corner');

  assert.equal(await notifySend('-p', '-r', id, '-u', 'critical', 'Disk full'), id);
  const replaced = await panel.waitForState(
    'the replacement',
    (s) => shown(s)[0]?.summary === 'Disk full',
  );
  assert.deepEqual(
    shown(replaced).map((n) => [n.id, n.urgency, n.expires]),
    [[Number(id), 'critical', false]],
  );
  const critical = await waitForScreen(
    'notification-critical',
    (i) => countColour(i, CARD_CRITICAL, POPUP_AREA) > 5_000,
  );
  assert.ok(countColour(critical, CARD_CRITICAL, POPUP_AREA) > 5_000, 'the critical card');
  assert.equal(countColour(critical, CARD_NORMAL, POPUP_AREA), 0, 'replaced, not stacked');

  await panel.request({ command: 'notification', id: Number(id), action: 'close' });
  assert.deepEqual(await closedSignal(Number(id)), {
    signal: 'NotificationClosed',
    id: Number(id),
    reason: 2,
  });
  const gone = await waitForScreen(
    'notification-closed',
    (i) => countColour(i, CARD_CRITICAL, POPUP_AREA) === 0,
  );
  assert.equal(countColour(gone, CARD_CRITICAL, POPUP_AREA), 0);
});

test('a notification with a timeout expires by itself', async () => {
  const id = Number(await notifySend('-p', '-t', '300', 'Brief'));
  assert.deepEqual(await closedSignal(id), { signal: 'NotificationClosed', id, reason: 1 });
  const state = await panel.state();
  assert.deepEqual(shown(state), []);
});

test('an action invoked through the control socket reaches the program as ActionInvoked', async () => {
  client.send({
    notify: [
      'updates',
      0,
      '',
      'Updates ready',
      '3 packages',
      ['install', 'Install now', 'later', 'Later'],
      { urgency: ['y', 1] },
      0,
    ],
  });
  const { notified: id } = (await client.waitFor('an id', (e) => 'notified' in e)) as {
    notified: number;
  };
  const state = await panel.waitForState('the actions', (s) => shown(s).length === 1);
  assert.deepEqual(shown(state)[0]?.actions, [
    { key: 'install', label: 'Install now' },
    { key: 'later', label: 'Later' },
  ]);
  await screenshot('notification-actions');
  await panel.request({ command: 'notification', id, action: 'invoke', key: 'install' });
  assert.deepEqual(await client.waitFor('ActionInvoked', (e) => e.signal === 'ActionInvoked'), {
    signal: 'ActionInvoked',
    id,
    key: 'install',
  });
  assert.deepEqual(await closedSignal(id), { signal: 'NotificationClosed', id, reason: 2 });
  await assert.rejects(
    panel.request({ command: 'notification', id, action: 'invoke', key: 'install' }),
    { message: `no notification ${id} is shown` },
  );
});

test('a hostile summary and body are shown literally', async () => {
  const summary = '<b>bold</b> & <i>';
  const body = 'a &amp; b <a href="http://x">link</a>\u0007bell';
  const id = Number(await notifySend('-p', '-t', '0', summary, body));
  const state = await panel.waitForState('the notification', (s) => shown(s).length === 1);
  assert.deepEqual(
    shown(state).map((n) => [n.summary, n.body]),
    [[summary, 'a &amp; b <a href="http://x">link</a>\uFFFDbell']],
  );
  await waitForScreen(
    'notification-hostile',
    (i) => countColour(i, CARD_NORMAL, POPUP_AREA) > 5_000,
  );
  await panel.request({ command: 'notification', id, action: 'close' });
});

test("cexbar's own error reaches the user as a notification through its own server", async () => {
  panel.writeConfig('{ "height": "tall" }\n');
  const state = await panel.waitForState('the error', (s) =>
    shown(s).some((n) => n.appName === 'cexbar'),
  );
  const file = join(panel.configDir, 'cexbar', 'config.jsonc');
  assert.deepEqual(
    shown(state).map((n) => [n.summary, n.body]),
    [
      [
        'cexbar: the config is not valid',
        `config ${file} is not valid:\n✖ Invalid input: expected number, received string\n` +
          '  → at height',
      ],
    ],
  );
  await screenshot('notification-own-error');
  panel.writeConfig('{ "modules": ["workspaces", "clock"] }\n');
  await panel.waitForState('the fixed config', (s) => s.configError === null);
  await panel.request({ command: 'notification', id: shown(state)[0]?.id ?? 0, action: 'close' });
});

test('a container action that failed reaches the user as a notification', async () => {
  const config = {
    modules: ['workspaces', 'containers', 'clock'],
    containers: { lxcPath: '/nonexistent/cexbar-lxc', showUnlisted: false, list: { ghost: {} } },
  };
  panel.writeConfig(JSON.stringify(config));
  await panel.waitForState(
    'the new path',
    (s) => s.containers.lxcPath === config.containers.lxcPath,
  );
  const failure = panel
    .request({ command: 'action', module: 'containers', item: 'ghost', action: 'start' })
    .then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  const message = await failure;
  assert.ok(message !== null, 'starting a container that does not exist fails');
  const state = await panel.waitForState('the error', (s) =>
    shown(s).some((n) => n.appName === 'cexbar'),
  );
  assert.deepEqual(
    shown(state).map((n) => [n.summary, n.body]),
    [['cexbar: start of ghost failed', message]],
  );
  await panel.request({ command: 'notification', id: shown(state)[0]?.id ?? 0, action: 'close' });
});

test('with another daemon owning the name, cexbar leaves it, sends its errors there, and takes the name when it goes', async () => {
  await panel.stop();
  const daemon = await startPeer('daemon');

  panel = await startPanel(session, {
    config: '{ "modules": ["workspaces", "clock"] }\n',
    env: bus.env,
  });
  cleanUps.push(() => panel.stop());
  const state = await panel.waitForState(
    'the other owner',
    (s) => s.notifications.server === 'other',
  );
  assert.equal(state.notifications.otherServer, 'node');
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.includes(NAME));
  assert.deepEqual(lines, [`cexbar: notifications: node already serves ${NAME}: cexbar leaves it`]);

  panel.writeConfig('{ "modules": ["clok"] }\n');
  const { received } = (await daemon.waitFor('a Notify', (e) => 'received' in e)) as {
    received: string[];
  };
  assert.deepEqual(received.slice(0, 2), ['cexbar', 'cexbar: the config is not valid']);
  assert.deepEqual(shown(await panel.state()), []);

  await daemon.stop();
  await panel.waitForState('cexbar serving', (s) => s.notifications.server === 'cexbar');
  assert.match(panel.log(), /cexbar: notifications: org\.freedesktop\.Notifications is free again/);
  await notifySend('-t', '0', 'Back to cexbar');
  await panel.waitForState('the notification', (s) =>
    shown(s).some((n) => n.summary === 'Back to cexbar'),
  );
});
