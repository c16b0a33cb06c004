import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  SwayClient,
  SwayCommandError,
  swaySocketFromEnvironment,
  type SwayState,
} from '../../src/sway/client.js';
import { captureStderr } from './helpers/capture-stderr.js';
import { waitForState } from '../helpers/wait-for-state.js';

/*
 * SwayClient against the real headless Sway 1.7 of the harness, run as the desktop user. The
 * test runs as root, which may connect to that user's socket.
 */

const TERMINAL = 'org.freedesktop.weston.wayland-terminal';

/** Names a naive quoting gets wrong; "$secret" is a variable of the test's Sway config. */
const TRICKY_NAMES = [
  'a"b\\c',
  '\\',
  '"',
  "'",
  `it's "quoted"`,
  'a\\"b',
  'ends with \\',
  '$secret',
  'a$$b',
  '\\$secret',
  '\\\\$secret',
  'x; workspace 9, kill',
  '[con_id=1] kill',
  ' leading and trailing ',
  'tab\there',
  'Zürich 🚆',
  // Sway 1.7 keeps a workspace of no name, or of spaces only, as it was asked for.
  '',
  '   ',
];

/** Deterministic pseudo-random names from the characters Sway treats specially. */
function mixedNames(count: number): string[] {
  const alphabet = ['"', "'", '\\', '$', ' ', ';', ',', '[', ']', 'a', 'b', '1', 'é'];
  let seed = 20240601;
  // A 32-bit linear congruential generator: integer arithmetic, the same names on every run.
  const next = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed >>> 8;
  };
  const names: string[] = [];
  while (names.length < count) {
    const length = 1 + (next() % 8);
    const name = Array.from({ length }, () => alphabet[next() % alphabet.length] ?? 'a').join('');
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function focusedWorkspace(state: SwayState): string | undefined {
  return state.workspaces.find((workspace) => workspace.focused)?.name;
}

/** Switches through the client and waits until Sway reports exactly that workspace focused. */
async function switchTo(client: SwayClient, name: string): Promise<void> {
  await client.focusWorkspace(name);
  await waitForState(client, `workspace ${JSON.stringify(name)} focused`, (state) => {
    return focusedWorkspace(state) === name;
  });
}

describe('SwayClient against a real headless Sway', () => {
  let liveSession: SwaySession | undefined;
  let liveClient: SwayClient | undefined;
  const terminals: ChildProcess[] = [];

  before(async () => {
    // A config variable: a workspace named "$secret" must not turn into its value.
    liveSession = await startSwaySession({ extraConfig: ['set $secret replaced'] });
    liveClient = await SwayClient.connect(liveSession.env.SWAYSOCK);
  });

  after(async () => {
    // before() may have failed half-way: stop whatever it started.
    liveClient?.close();
    for (const terminal of terminals) terminal.kill('SIGKILL');
    await liveSession?.stop();
  });

  function started(): { session: SwaySession; client: SwayClient } {
    assert.ok(liveSession !== undefined && liveClient !== undefined, 'the session started');
    return { session: liveSession, client: liveClient };
  }

  function openTerminal(): ChildProcess {
    const terminal = started().session.spawn(['weston-terminal'], { stdio: 'ignore', cwd: '/' });
    terminals.push(terminal);
    return terminal;
  }

  it('has read the outputs and workspaces before connect() resolves', () => {
    const { session, client } = started();
    const state = client.state;
    assert.equal(state.connected, true);
    assert.equal(state.socketPath, session.env.SWAYSOCK);
    assert.deepEqual(state.outputs, [
      {
        name: 'HEADLESS-1',
        active: true,
        focused: true,
        rect: { x: 0, y: 0, width: 1280, height: 720 },
      },
    ]);
    assert.deepEqual(
      state.workspaces.map(({ name, num, output, focused, visible, urgent }) => ({
        name,
        num,
        output,
        focused,
        visible,
        urgent,
      })),
      [{ name: '1', num: 1, output: 'HEADLESS-1', focused: true, visible: true, urgent: false }],
    );
    assert.deepEqual([state.views, state.focusedView], [[], null]);
  });

  it('switches to a workspace named with two spaces, keeping both', async () => {
    const { client } = started();
    await switchTo(client, '1  x');
    assert.ok(client.state.workspaces.some((workspace) => workspace.name === '1  x'));
    assert.equal(
      client.state.workspaces.some((workspace) => workspace.name === '1 x'),
      false,
    );
  });

  it('switches to workspaces whose names hold quotes, backslashes, $, ; and ,', async () => {
    const { client } = started();
    for (const name of TRICKY_NAMES) await switchTo(client, name);
    const names = client.state.workspaces.map((workspace) => workspace.name);
    assert.equal(names.includes('replaced'), false);
    assert.equal(names.includes('9'), false);
  });

  it('switches to exactly the workspace named, whatever special characters it mixes', async () => {
    const { client } = started();
    for (const name of mixedNames(150)) await switchTo(client, name);
  });

  it('does not jump back when asked for the workspace it is already on', async () => {
    const { session, client } = started();
    await session.swaymsg('workspace_auto_back_and_forth yes');
    await switchTo(client, '4');
    await switchTo(client, '5');
    await client.focusWorkspace('5');
    await sleep(200);
    await session.swaymsg('workspace_auto_back_and_forth no');
    assert.equal(focusedWorkspace(client.state), '5');
  });

  it('rejects a failing command with a SwayCommandError carrying Sway’s reason', async () => {
    const { client } = started();
    await assert.rejects(client.command('nonsense'), (error) => {
      assert.ok(error instanceof SwayCommandError);
      assert.equal(
        error.message,
        `sway: command "nonsense" failed: Unknown/invalid command 'nonsense'`,
      );
      assert.equal(error.command, 'nonsense');
      assert.deepEqual(error.errors, ["Unknown/invalid command 'nonsense'"]);
      return true;
    });
  });

  it('rejects a command list when any part failed, and logs a failed action', async () => {
    const { client } = started();
    await assert.rejects(client.command('workspace 6; nonsense'), {
      name: 'SwayCommandError',
      message: `sway: command "workspace 6; nonsense" failed: Unknown/invalid command 'nonsense'`,
    });
    const stderr = captureStderr();
    try {
      await assert.rejects(client.focusView(999_999), SwayCommandError);
    } finally {
      stderr.stop();
    }
    assert.deepEqual(stderr.lines, [
      'cexbar: warn: sway: could not focus window 999999 (No matching node.)',
    ]);
  });

  it('follows a new window into focusedView, and its close out of views', async () => {
    const { client } = started();
    await switchTo(client, '7');
    const terminal = openTerminal();
    const state = await waitForState(client, 'the terminal focused', (candidate) => {
      const view = candidate.focusedView;
      // weston-terminal first calls itself "Wayland Terminal", then shows its shell's prompt.
      return view !== null && view.pid === terminal.pid && view.title.startsWith('cexbar@');
    });
    assert.deepEqual(
      { ...state.focusedView, id: 0, title: '' },
      {
        id: 0,
        pid: terminal.pid,
        title: '',
        appId: TERMINAL,
        workspace: '7',
        output: 'HEADLESS-1',
        focused: true,
        urgent: false,
      },
    );
    assert.match(state.focusedView?.title ?? '', /^cexbar@.*: \/$/);

    terminal.kill('SIGTERM');
    await waitForState(client, 'the terminal gone', (candidate) => {
      return candidate.views.every((view) => view.pid !== terminal.pid);
    });
    assert.equal(client.state.focusedView, null);
  });

  it('focuses a view by con_id', async () => {
    const { client } = started();
    await switchTo(client, '8');
    const first = openTerminal();
    await waitForState(
      client,
      'the first terminal',
      (state) => state.focusedView?.pid === first.pid,
    );
    const firstId = client.state.focusedView?.id ?? -1;
    const second = openTerminal();
    await waitForState(
      client,
      'the second terminal',
      (state) => state.focusedView?.pid === second.pid,
    );

    await client.focusView(firstId);
    const state = await waitForState(client, 'the first terminal again', (candidate) => {
      return candidate.focusedView?.id === firstId;
    });
    assert.deepEqual(
      state.views.filter((view) => view.workspace === '8').map((view) => view.pid),
      [first.pid, second.pid],
    );
  });

  it('sees an output that is added, although Sway 1.7 has no output events', async () => {
    const { session, client } = started();
    await session.swaymsg('create_output');
    const state = await waitForState(client, 'HEADLESS-2', (candidate) => {
      return candidate.outputs.some((output) => output.name === 'HEADLESS-2');
    });
    assert.deepEqual(
      state.outputs.map((output) => [output.name, output.active]),
      [
        ['HEADLESS-1', true],
        ['HEADLESS-2', true],
      ],
    );
  });

  it('hears no more changes after close()', async () => {
    const { session, client } = started();
    const other = await SwayClient.connect(session.env.SWAYSOCK);
    const heard: SwayState[] = [];
    other.subscribe((state) => heard.push(state));
    other.close();
    await switchTo(client, '10');
    await sleep(200);
    assert.deepEqual(heard, []);
  });
});

describe('SwayClient when Sway goes away', () => {
  it('shows nothing stale, logs one warning, says it ended, and retries without a spin', async () => {
    const session = await startSwaySession();
    const client = await SwayClient.connect(session.env.SWAYSOCK).catch(async (error: unknown) => {
      await session.stop();
      throw error;
    });
    const stderr = captureStderr();
    const ended = new Promise<void>((resolve) => client.onEnded(resolve));
    try {
      await session.stop();
      await waitForState(client, 'disconnected', (state) => !state.connected);
      // The first reconnection finds the socket gone: this Sway has ended.
      await ended;
      const before = process.cpuUsage();
      await sleep(1500);
      const used = process.cpuUsage(before);
      // A reader spinning on end-of-file, or retries without a pause, would use the whole time.
      assert.ok(used.user + used.system < 150_000, `used ${used.user + used.system} µs of CPU`);
    } finally {
      stderr.stop();
      client.close();
    }
    assert.deepEqual(stderr.lines, [
      `cexbar: warn: sway: lost the connection to ${session.env.SWAYSOCK} (Sway closed it); ` +
        'reconnecting',
    ]);
    assert.deepEqual(client.state.workspaces, []);
    assert.deepEqual(client.state.views, []);
    await assert.rejects(client.command('workspace 2'), {
      name: 'SwayConnectionError',
      message: `sway: not connected to ${session.env.SWAYSOCK} now (reconnecting)`,
    });
  });
});

describe('SwayClient.connect', () => {
  it('rejects naming the socket path when Sway is not there', async () => {
    const path = '/tmp/cexbar-test-no-sway/sway-ipc.0.0.sock';
    rmSync(path, { force: true });
    assert.equal(existsSync(path), false);
    await assert.rejects(SwayClient.connect(path), {
      name: 'SwayConnectionError',
      message: `sway: cannot connect to the IPC socket ${path} (ENOENT)`,
    });
  });
});

describe('swaySocketFromEnvironment', () => {
  it('reads SWAYSOCK, and gives null when it is unset or empty', () => {
    assert.equal(
      swaySocketFromEnvironment({ SWAYSOCK: '/run/user/1000/sway.sock' }),
      '/run/user/1000/sway.sock',
    );
    assert.equal(swaySocketFromEnvironment({ SWAYSOCK: '' }), null);
    assert.equal(swaySocketFromEnvironment({}), null);
  });
});
