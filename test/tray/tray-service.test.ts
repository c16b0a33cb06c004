import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sessionBus, type MessageBus } from 'dbus-next';
import {
  followProgram,
  trayProgram,
  type LineProgram,
} from '../../scripts/harness/tray-programs.js';
import {
  callMethod,
  getProperty,
  WATCHER_INTERFACE,
  WATCHER_NAME,
  WATCHER_PATH,
} from '../../src/tray/dbus.js';
import { sessionBusAddress, TrayService, type TrayState } from '../../src/tray/tray-service.js';
import { waitForState } from '../helpers/wait-for-state.js';

/*
 * The tray service on a real session bus (a dbus-daemon of the test's own; no Sway, no GTK),
 * with the harness's real item and a watcher of another program.
 */

const APP_DIR = join(__dirname, '..', '..', '..');
let folder: string;
let address: string;
let daemon: ReturnType<typeof spawn>;
const programs: LineProgram[] = [];
const services: TrayService[] = [];
const buses: MessageBus[] = [];

function startProgram(name: 'tray-item' | 'tray-watcher', args: string[] = []): LineProgram {
  const child = spawn('node', [trayProgram(name, APP_DIR), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
  });
  const program = followProgram(child, name);
  programs.push(program);
  return program;
}

function startService(): TrayService {
  const service = new TrayService();
  services.push(service);
  service.start(address);
  return service;
}

function idsOf(state: TrayState): string[] {
  return state.items.map((item) => item.id);
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cexbar-tray-bus-'));
  address = `unix:path=${join(folder, 'bus')}`;
  daemon = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', `--address=${address}`], {
    stdio: 'ignore',
  });
  while (!existsSync(join(folder, 'bus'))) await new Promise((resolve) => setTimeout(resolve, 20));
});

after(async () => {
  for (const service of services) service.close();
  for (const bus of buses) bus.disconnect();
  for (const program of programs) await program.stop();
  daemon.kill();
  rmSync(folder, { recursive: true, force: true });
});

test('a tray without a session bus address says so in its state', () => {
  const service = new TrayService();
  const stderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = () => true;
  try {
    service.start('');
  } finally {
    process.stderr.write = stderr;
  }
  assert.equal(
    service.state.error,
    'DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist: ' +
      'the tray needs a session bus',
  );
});

test('without DBUS_SESSION_BUS_ADDRESS the bus in the runtime folder is used', () => {
  assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: folder }), address);
  assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }), 'unix:path=/x');
  assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: join(folder, 'none') }), undefined);
});

test('with a watcher of another program, the tray is its host and lists its items', async () => {
  const watcher = startProgram('tray-watcher');
  await watcher.waitForLine(/^watching$/);
  const item = startProgram('tray-item', ['--id', 'first']);
  await item.waitForLine(/^registered with /);
  const service = startService();
  const state = await waitForState(service, 'the foreign watcher’s item', (each) => {
    return each.watcher === 'foreign' && idsOf(each).includes('first');
  });
  assert.equal(state.error, null);
  const bus = sessionBus({ busAddress: address });
  buses.push(bus);
  const hosts = await getProperty(
    bus,
    WATCHER_NAME,
    WATCHER_PATH,
    WATCHER_INTERFACE,
    'IsStatusNotifierHostRegistered',
  );
  assert.equal(hosts, true);

  // That watcher leaves: the tray takes the name and the item registers again, with it.
  const seen = item.lines().length;
  await watcher.stop();
  await item.waitForLine(/^registered with /, { skip: seen });
  await waitForState(service, 'its own watcher with the item', (each) => {
    return each.watcher === 'own' && idsOf(each).includes('first');
  });
  await item.stop();
  service.close();
});

test('a registration that is neither a bus name nor a path gets an error that says so', async () => {
  const service = startService();
  await waitForState(service, 'its own watcher', (state) => state.watcher === 'own');
  const bus = sessionBus({ busAddress: address });
  buses.push(bus);
  await assert.rejects(
    callMethod(bus, {
      destination: WATCHER_NAME,
      path: WATCHER_PATH,
      interface: WATCHER_INTERFACE,
      member: 'RegisterStatusNotifierItem',
      signature: 's',
      body: ['not a name'],
    }),
    { message: '"not a name" is neither a bus name nor an object path' },
  );
  service.close();
});

test('a changed menu layout is read again, and clicks and scrolls reach the item', async () => {
  const service = startService();
  const item = startProgram('tray-item', ['--id', 'menu-item']);
  await waitForState(service, 'the item', (state) => idsOf(state).includes('menu-item'));
  const menu = service.menuOf('menu-item');
  assert.ok(menu !== null);
  await menu.aboutToShow();
  assert.equal(menu.state.root?.children[0]?.label, 'Say _hello');
  item.send('label 1 Greet');
  await waitForState(menu, 'the new label', (state) => {
    return state.root?.children[0]?.label === 'Greet';
  });
  item.send('colour 0000ff');
  await waitForState(service, 'the new icon', (state) => {
    const pixmap = state.items[0]?.iconPixmaps[0];
    return (
      pixmap !== undefined && pixmap.argb.subarray(0, 4).equals(Buffer.from('ff0000ff', 'hex'))
    );
  });
  const seen = item.lines().length;
  await menu.event(6);
  await item.waitForLine(/^menu clicked 6 Last entry$/, { skip: seen });
  await service.secondaryActivate('menu-item', 5, 7);
  await item.waitForLine(/^secondary-activate 5 7$/, { skip: seen });
  await service.scroll('menu-item', -1, 'vertical');
  await item.waitForLine(/^scroll -1 vertical$/, { skip: seen });
  await item.stop();
  await waitForState(service, 'the item gone', (state) => state.items.length === 0);
  service.close();
});
