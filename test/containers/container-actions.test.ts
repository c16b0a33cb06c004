import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { ContainerService } from '../../src/containers/container-service.js';
import { LxcPathWatcher } from '../../src/containers/lxc-path-watcher.js';
import { availableActions } from '../../src/containers/container-state.js';
import { configSchema } from '../../src/config/schema.js';
import { refreshLogLevel } from '../../src/util/log.js';
import { createLxcSandbox, IGNORES_HALT } from '../../scripts/harness/lxc.js';
import { appDir } from '../../scripts/harness/panel.js';
import {
  lookUpUser,
  runAsUser,
  spawnAsUser,
  userEnvironment,
} from '../../scripts/harness/run-as-user.js';
import { waitForState } from '../helpers/wait-for-state.js';
import { captureLog, type LogCapture } from './helpers/capture-log.js';
import { containerNamed } from './helpers/container-named.js';
import { FakeWindows } from './helpers/fake-windows.js';

/*
 * The container menu's actions on real busybox containers, through the installed LXC helper.
 * `stubborn` ignores its halt signal (SIGURG, which busybox's init does not handle), so that a
 * graceful stop times out, as a hung init would. A busybox init halts in about 2 s: the stop
 * timeout is 6 s.
 */

const lxc = createLxcSandbox();
const runtimeDir = mkdtempSync(join(tmpdir(), 'cexbar-runtime-'));

function createService(terminals: string[][] = []): ContainerService {
  const containers = configSchema.parse({
    containers: {
      lxcPath: lxc.path,
      stopTimeoutSeconds: 6,
      list: { plain: { terminal: ['/bin/true', '{name}'] }, stubborn: {} },
    },
  }).containers;
  return new ContainerService({
    lxcPath: lxc.path,
    containers,
    runtimeDir,
    hostWaylandDisplay: join(runtimeDir, 'wayland-1'),
    windows: new FakeWindows(),
    spawnTerminal: (argv) => terminals.push([...argv]),
  });
}

describe('ContainerService actions', () => {
  let log: LogCapture;
  let service: ContainerService;
  const terminals: string[][] = [];

  before(async () => {
    await lxc.create('plain');
    await lxc.create('stubborn');
    lxc.appendConfig('stubborn', IGNORES_HALT);
  });

  after(async () => {
    await lxc.destroy();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    log = captureLog();
    service = createService(terminals);
    await service.start();
  });

  afterEach(async () => {
    service.close();
    log.restore();
    for (const name of ['plain', 'stubborn']) {
      await lxc.lxc('lxc-stop', '-k', '-n', name).catch(() => undefined);
    }
  });

  test('offers only the actions that make sense in each state', async () => {
    const plain = (): ReturnType<typeof availableActions> =>
      availableActions(containerNamed(service.state, 'plain'));
    assert.deepEqual(plain(), ['start', 'details']);
    // Without a session there is nothing to launch: refused, and the container stays stopped.
    await assert.rejects(service.runAction('plain', 'launch'), {
      message: 'plain is STOPPED: launch is not possible now (possible: start, details)',
    });
    assert.equal(await lxc.state('plain'), 'STOPPED');
    await service.runAction('plain', 'start');
    assert.deepEqual(plain(), ['stop', 'kill', 'freeze', 'restart', 'terminal', 'details']);
    await service.runAction('plain', 'freeze');
    assert.deepEqual(plain(), ['kill', 'unfreeze', 'details']);
    await assert.rejects(service.runAction('plain', 'stop'), {
      message: 'plain is FROZEN: stop is not possible now (possible: kill, unfreeze, details)',
    });
    await assert.rejects(service.runAction('plain', 'launch'), {
      message: 'plain is FROZEN: launch is not possible now (possible: kill, unfreeze, details)',
    });
  });

  test('freezes and thaws a running container, as lxc-info agrees', async () => {
    await service.runAction('plain', 'start');
    await service.runAction('plain', 'freeze');
    assert.equal(await lxc.state('plain'), 'FROZEN');
    assert.equal(containerNamed(service.state, 'plain').state, 'FROZEN');
    await service.runAction('plain', 'unfreeze');
    assert.equal(await lxc.state('plain'), 'RUNNING');
    assert.equal(containerNamed(service.state, 'plain').state, 'RUNNING');
  });

  test('restarts a running container: a new init, running again', async () => {
    await service.runAction('plain', 'start');
    const before = (await service.details('plain')).pid;
    const tasks: (string | null)[] = [];
    const unsubscribe = service.subscribe((state) => {
      tasks.push(containerNamed(state, 'plain').task);
    });
    await service.runAction('plain', 'restart');
    unsubscribe();
    assert.ok(tasks.includes('restarting'), JSON.stringify(tasks));
    assert.equal(await lxc.state('plain'), 'RUNNING');
    const after = await service.details('plain');
    assert.notEqual(after.pid, before);
    assert.equal(after.state, 'RUNNING');
    assert.ok(after.memoryBytes !== null && after.memoryBytes > 0);
    assert.ok(after.uptimeSeconds !== null && after.uptimeSeconds < 60);
  });

  test('a stop that times out says so on the container, logs once, and kill works', async () => {
    await service.runAction('stubborn', 'start');
    log.lines.length = 0;
    const stopping = service.runAction('stubborn', 'stop');
    await waitForState(service, 'stubborn stopping', (state) => {
      return containerNamed(state, 'stubborn').task === 'stopping';
    });
    await assert.rejects(stopping, {
      name: 'StopTimeoutError',
      message: 'stubborn did not stop within 6 s (its init ignored the halt signal)',
    });
    const stubborn = containerNamed(service.state, 'stubborn');
    assert.equal(stubborn.state, 'RUNNING');
    assert.equal(stubborn.task, null);
    assert.equal(
      stubborn.error,
      'stubborn did not stop within 6 s (its init ignored the halt signal); Kill stops it',
    );
    assert.deepEqual(log.lines, [
      'cexbar: warn: containers: stubborn: stubborn did not stop within 6 s ' +
        '(its init ignored the halt signal)',
    ]);
    assert.ok(availableActions(stubborn).includes('kill'));

    await service.runAction('stubborn', 'kill');
    assert.equal(await lxc.state('stubborn'), 'STOPPED');
    assert.equal(containerNamed(service.state, 'stubborn').error, null);
  });

  test('opens the configured terminal command as it is written, nothing substituted', async () => {
    await service.runAction('plain', 'start');
    await service.runAction('plain', 'terminal');
    assert.deepEqual(terminals.at(-1), ['/bin/true', '{name}']);
    await assert.rejects(service.runAction('stubborn', 'terminal'), {
      message: 'stubborn is STOPPED: terminal is not possible now (possible: start, details)',
    });
  });

  test('shows a container created and one destroyed under the path, without refresh', async () => {
    await lxc.create('fresh');
    await waitForState(service, 'fresh on the bar', (state) =>
      state.containers.some((container) => container.name === 'fresh'),
    );
    await lxc.lxc('lxc-destroy', '-n', 'fresh');
    await waitForState(service, 'fresh gone', (state) =>
      state.containers.every((container) => container.name !== 'fresh'),
    );
  });
});

describe('LxcPathWatcher', () => {
  test("as the desktop user, watches a mode 755 LXC path and not LXCex's mode 751", async () => {
    const user = lookUpUser();
    const watcher = join(appDir(), 'dist', 'src', 'containers', 'lxc-path-watcher.js');
    const script =
      `const { LxcPathWatcher } = require(${JSON.stringify(watcher)});` +
      'const w = new LxcPathWatcher(process.argv[1], () => undefined);' +
      'console.log(w.start()); w.close();';
    // A path of its own: the suite above destroyed its sandbox when it ended.
    const sandbox = createLxcSandbox('cexbar-watch-');
    const probe = async (): Promise<string> => {
      const env = userEnvironment(user, { CEXBAR_LOG: 'debug' });
      const result = await runAsUser(user, ['node', '-e', script, sandbox.path], env);
      return `${result.stdout.trim()} ${result.stderr.trim()}`;
    };
    try {
      assert.equal(await probe(), 'true ');
      chmodSync(sandbox.path, 0o751);
      assert.match(
        await probe(),
        /^false cexbar: debug: containers: cannot watch \S+ \(.*EACCES.*\): containers created /,
      );
    } finally {
      await sandbox.destroy();
    }
  });

  test("as the desktop user, says once that the helper's watch ended, and once that it is back", async () => {
    const user = lookUpUser();
    const dist = join(appDir(), 'dist', 'src', 'containers');
    const script =
      `const { LxcPathWatcher } = require(${JSON.stringify(join(dist, 'lxc-path-watcher.js'))});` +
      `const { LxcBackend } = require(${JSON.stringify(join(dist, 'lxc-backend.js'))});` +
      'const backend = new LxcBackend(process.argv[1]);' +
      "const w = new LxcPathWatcher(process.argv[1], () => console.log('change')," +
      ' (onLine, onExit) => backend.watchPath(onLine, onExit));' +
      "w.start(); process.stdin.on('data', () => {}).on('close', () => w.close());";
    const sandbox = createLxcSandbox('cexbar-gone-');
    chmodSync(sandbox.path, 0o751);
    const env = userEnvironment(user, { CEXBAR_LOG: 'debug' });
    const child = spawnAsUser(user, ['node', '-e', script, sandbox.path], env, {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    const logged = (pattern: RegExp, count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if ((stderr.match(pattern) ?? []).length < count) return;
          child.stderr?.off('data', check);
          resolve();
        };
        child.stderr?.on('data', check);
        check();
      });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ended = new Promise((resolve) => child.on('close', resolve));
    const watching = / watching \S+ through the LXC helper$/gm;
    try {
      await logged(watching, 1);
      // The folder goes away, as an unmounted volume's: the helper says so and exits.
      rmSync(sandbox.path, { recursive: true });
      await logged(/ended/g, 1);
      mkdirSync(sandbox.path, { mode: 0o751 });
      chmodSync(sandbox.path, 0o751);
      await logged(watching, 2);
      child.stdin?.end();
      await ended;
      const lines = stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 4, stderr);
      assert.match(
        lines[0] ?? '',
        /^cexbar: debug: containers: cannot watch .*EACCES.*helper's watch$/,
      );
      assert.equal(lines[1], `cexbar: containers: watching ${sandbox.path} through the LXC helper`);
      assert.match(
        lines[2] ?? '',
        new RegExp(
          `^cexbar: warn: containers: the LXC helper's watch of ${sandbox.path} ended \\(.*it is ` +
            'gone.*\\); containers created or destroyed there show when it restarts$',
        ),
      );
      assert.equal(lines[3], lines[1]);
    } finally {
      child.kill('SIGKILL');
      await sandbox.destroy();
    }
  });

  test('says in one debug line when the LXC path cannot be watched, and reports nothing', () => {
    const previous = process.env.CEXBAR_LOG;
    process.env.CEXBAR_LOG = 'debug';
    refreshLogLevel();
    const log = captureLog();
    try {
      const watcher = new LxcPathWatcher('/nonexistent/lxc', () => assert.fail('a change'));
      assert.equal(watcher.start(), false);
      watcher.close();
    } finally {
      log.restore();
      if (previous === undefined) delete process.env.CEXBAR_LOG;
      else process.env.CEXBAR_LOG = previous;
      refreshLogLevel();
    }
    assert.equal(log.lines.length, 1, log.lines.join('\n'));
    const [line = ''] = log.lines;
    assert.match(line, /^cexbar: debug: containers: cannot watch \/nonexistent\/lxc \(.*ENOENT/);
    assert.ok(
      line.endsWith('): containers created or destroyed there show at the next lxc-monitor event'),
      line,
    );
  });
});

describe('ContainerService as the desktop user, on a mode 751 LXC path', () => {
  test("shows a container created and one destroyed there, through the helper's watch", async () => {
    const user = lookUpUser();
    // A path of its own, root's with mode 751 as LXCex's /var/lib/lxc: the user cannot watch it.
    const sandbox = createLxcSandbox('cexbar-751-');
    const userRuntime = mkdtempSync(join(tmpdir(), 'cexbar-runtime-'));
    chownSync(userRuntime, user.uid, user.gid);
    const script = join(appDir(), 'dist', 'test', 'containers', 'helpers', 'service-as-user.js');
    await sandbox.create('steady');
    chmodSync(sandbox.path, 0o751);
    let stderr = '';
    const service = spawnAsUser(
      user,
      ['node', script, sandbox.path, userRuntime],
      userEnvironment(user, { CEXBAR_LOG: 'debug' }),
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const states: string[][] = [];
    const waiters: (() => void)[] = [];
    service.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    const { stdout } = service;
    if (stdout === null) throw new Error('test: the service has no stdout pipe');
    createInterface({ input: stdout }).on('line', (line) => {
      const state = JSON.parse(line) as { listed: boolean; containers: string[] };
      if (state.listed) states.push(state.containers);
      for (const wake of waiters.splice(0)) wake();
    });
    const ended = new Promise((resolve) => service.on('close', resolve));
    /** Waits for the service's first state (from now on, or the last) that `wanted` accepts. */
    const waitForList = async (what: string, wanted: (list: string[]) => boolean) => {
      const deadline = setTimeout(() => waiters.forEach((wake) => wake()), 20_000);
      try {
        while (!wanted(states.at(-1) ?? ['(none)'])) {
          if (service.exitCode !== null) throw new Error(`the service ended: ${stderr}`);
          const before = states.length + stderr.length;
          await new Promise<void>((resolve) => waiters.push(resolve));
          if (states.length + stderr.length === before && !wanted(states.at(-1) ?? ['(none)'])) {
            const last = JSON.stringify(states.at(-1));
            throw new Error(`test: timed out waiting for ${what}; last ${last}; log: ${stderr}`);
          }
        }
      } finally {
        clearTimeout(deadline);
      }
    };
    try {
      await waitForList('steady listed', (list) => list.join() === 'steady STOPPED');
      await waitForList('the watch set', () => /through the LXC helper\n/.test(stderr));
      // Nothing changes state: only the helper's watch can tell the service.
      await sandbox.create('fresh');
      await waitForList('fresh shown', (list) => list.join() === 'fresh STOPPED,steady STOPPED');
      await sandbox.lxc('lxc-destroy', '-n', 'fresh');
      await waitForList('fresh gone', (list) => list.join() === 'steady STOPPED');
      assert.match(
        stderr,
        /^cexbar: debug: containers: cannot watch \S+ \(.*EACCES.*\): watching it through the LXC helper's watch$/m,
      );
      const watchLines = stderr
        .split('\n')
        .filter((line) => /helper's watch|through the LXC/.test(line));
      assert.deepEqual(watchLines.slice(1), [
        `cexbar: containers: watching ${sandbox.path} through the LXC helper`,
      ]);
      service.stdin?.end();
      await ended;
      assert.equal(service.exitCode, 0);
    } finally {
      service.kill('SIGKILL');
      await sandbox.destroy();
      rmSync(userRuntime, { recursive: true, force: true });
    }
  });
});
