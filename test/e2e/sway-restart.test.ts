import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { SwayConnection } from '../../src/sway/connection.js';
import { MESSAGE_TYPE } from '../../src/sway/protocol.js';
import { commandReplySchema } from '../../src/sway/schemas.js';
import { countColour, hex, readPpm } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * Staying connected, on real parts: `cexbar run` in a headless Sway that is reloaded, that
 * drops the panel's event socket (the panel stopped with SIGSTOP during a burst of events, so
 * that it falls behind the 4 MiB Sway allows), and that is killed and started again.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const BAR_BACKGROUND = hex('#1d2026');

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  const config = { modules: ['workspaces', 'window', 'clock'], containers: { lxcPath: lxc.path } };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

interface SwayWorkspace {
  name: string;
  output: string;
  focused: boolean;
}

async function swayWorkspaces(): Promise<[string, string, boolean][]> {
  const reply = JSON.parse(await session.swaymsg('-t', 'get_workspaces', '-r')) as SwayWorkspace[];
  return reply.map((workspace) => [workspace.name, workspace.output, workspace.focused]);
}

function panelWorkspaces(state: PanelSnapshot): [string, string, boolean][] {
  return state.sway.workspaces.map((workspace) => [
    workspace.name,
    workspace.output,
    workspace.focused,
  ]);
}

/** Polls the control socket, which is away while no panel runs, until `accept` holds. */
async function waitForPanel(
  what: string,
  accept: (state: PanelSnapshot) => boolean,
): Promise<PanelSnapshot> {
  const deadline = Date.now() + 30_000;
  let last: unknown = 'no answer yet';
  for (;;) {
    try {
      const state = await panel.state();
      if (accept(state)) return state;
      last = state.sway;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(last)}\n${panel.log()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The panel process `cexbar run` started: the supervisor's one child. */
function panelChildPid(): number {
  const supervisor = panel.process.pid ?? 0;
  const children = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8');
  const pids = children.trim().split(/\s+/).filter(Boolean).map(Number);
  assert.equal(pids.length, 1, `the supervisor's children: ${children}`);
  return pids[0] ?? 0;
}

/** User and system time of a process so far, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat; after the name, indexes 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

async function waitForLog(pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (logLines(pattern).length === 0) {
    if (Date.now() > deadline) throw new Error(`no log line ${String(pattern)}:\n${panel.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function logLines(pattern: RegExp): string[] {
  return panel
    .log()
    .split('\n')
    .filter((line) => pattern.test(line));
}

test('a Sway reload resyncs: one bar, the workspaces Sway has, the same panel process', async () => {
  const child = panelChildPid();
  await session.swaymsg('workspace', 'before-reload');
  await session.swaymsg('reload');
  await session.swaymsg('workspace', '1');
  const expected = await swayWorkspaces();
  const state = await waitForPanel(
    'the workspaces after the reload',
    (s) => JSON.stringify(panelWorkspaces(s)) === JSON.stringify(expected),
  );
  assert.deepEqual(
    state.bars.map((bar) => bar.output),
    ['HEADLESS-1'],
  );
  assert.equal(panelChildPid(), child);
  assert.deepEqual(logLines(/lost the connection/), []);
});

test('an event socket that Sway drops is opened again, and the state read anew', async () => {
  const child = panelChildPid();
  // About 1 kB of event per switch: 8,000 of them are well past the 4 MiB Sway lets lag.
  const switches = Array.from({ length: 4000 }, () => 'workspace flood-a; workspace flood-b');
  process.kill(child, 'SIGSTOP');
  try {
    // One command list over IPC: as an argument to swaymsg it would be too long for exec.
    const connection = await SwayConnection.open(session.env.SWAYSOCK);
    try {
      await connection.request(MESSAGE_TYPE.RUN_COMMAND, switches.join('; '), commandReplySchema);
    } finally {
      connection.close();
    }
    await session.swaymsg('workspace', 'after-flood');
  } finally {
    process.kill(child, 'SIGCONT');
  }
  const state = await waitForPanel('the reconnection', (s) =>
    s.sway.workspaces.some((workspace) => workspace.name === 'after-flood' && workspace.focused),
  );
  assert.equal(state.sway.connected, true);
  assert.deepEqual(panelWorkspaces(state), await swayWorkspaces());
  assert.equal(panelChildPid(), child, 'the panel process was replaced');
  const socket = session.env.SWAYSOCK;
  assert.deepEqual(logLines(/sway: (lost|reconnected)/), [
    `cexbar: warn: sway: lost the connection to ${socket} (Sway closed it); reconnecting`,
    `cexbar: sway: reconnected to ${socket}; state read again`,
  ]);
});

test('a panel process that dies while Sway runs is started again, once', async () => {
  const child = panelChildPid();
  process.kill(child, 'SIGKILL');
  const expected = await swayWorkspaces();
  await waitForPanel(
    'a new panel process',
    (s) => JSON.stringify(panelWorkspaces(s)) === JSON.stringify(expected),
  );
  assert.notEqual(panelChildPid(), child);
  assert.deepEqual(logLines(/run: the panel ended/), [
    'cexbar: warn: run: the panel ended (signal SIGKILL) while Sway runs; ' +
      'starting it again in 0.5 s',
  ]);
});

test('Sway killed and started again: the panel runs on the new Sway and its bar shows', async () => {
  const oldSocket = session.env.SWAYSOCK;
  const supervisor = panel.process.pid ?? 0;
  let cpuWhileAway = -1;
  await session.restart('SIGKILL', async () => {
    await waitForLog(/run: Sway at .* has ended/);
    // While no Sway runs, cexbar run waits on the runtime folder: it must not spin.
    const before = cpuTicks(supervisor);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    cpuWhileAway = cpuTicks(supervisor) - before;
  });
  // In clock ticks (1/100 s): a loop that polls without pause would use about 150.
  assert.ok(cpuWhileAway >= 0 && cpuWhileAway < 15, `used ${cpuWhileAway} ticks while away`);
  assert.notEqual(session.env.SWAYSOCK, oldSocket);
  await session.swaymsg('workspace', 'after-restart');
  const expected = await swayWorkspaces();
  const state = await waitForPanel(
    'the panel on the new Sway',
    (s) =>
      s.sway.socketPath === session.env.SWAYSOCK &&
      JSON.stringify(panelWorkspaces(s)) === JSON.stringify(expected),
  );
  assert.deepEqual(
    state.bars.map((bar) => [bar.output, bar.layerShell]),
    [['HEADLESS-1', true]],
  );
  assert.deepEqual(logLines(/run: (Sway at|found Sway)/), [
    `cexbar: warn: run: Sway at ${oldSocket} has ended; waiting for a new Sway`,
    `cexbar: run: found Sway at ${session.env.SWAYSOCK}`,
  ]);

  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(OUTPUT, 'sway-restart.png'));
  const ppm = join(OUTPUT, 'sway-restart.ppm');
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  const bar = { x: 0, y: 0, width: image.width, height: 28 };
  assert.ok(countColour(image, BAR_BACKGROUND, bar) > bar.width * bar.height * 0.4, 'no bar');
});

test('SIGTERM to cexbar run alone, as runit sends it, ends the panel process too', async () => {
  const child = panelChildPid();
  const supervisor = panel.process;
  const ended = new Promise<number | null>((resolve) => supervisor.once('exit', resolve));
  process.kill(supervisor.pid ?? 0, 'SIGTERM');
  assert.equal(await ended, 0);
  assert.equal(existsSync(`/proc/${child}`), false, 'the panel process outlived cexbar run');
  assert.deepEqual(logLines(/stopping/), [
    'cexbar: run: stopping (SIGTERM)',
    'cexbar: panel: stopping (SIGTERM)',
  ]);
});
