import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  CommandRunner,
  LXC_HELPER,
  PrivilegeError,
  type LxcVerb,
  type RunningCommand,
  type RunResult,
} from '../../src/containers/command-runner.js';
import type { ContainersState } from '../../src/containers/container-state.js';
import { ContainerService } from '../../src/containers/container-service.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { captureLog, type LogCapture } from './helpers/capture-log.js';
import { containerNamed } from './helpers/container-named.js';
import { FakeWindows } from './helpers/fake-windows.js';
import { createLxcSandbox } from '../../scripts/harness/lxc.js';
import { waitForState } from '../helpers/wait-for-state.js';

const lxc = createLxcSandbox();
// No session opens here: the runtime folder only holds lxc-start's stderr files.
const runtimeDir = mkdtempSync(join(tmpdir(), 'cexbar-runtime-'));

function containersConfig(containers: unknown): Config['containers'] {
  return configSchema.parse({ containers: { lxcPath: lxc.path, ...(containers as object) } })
    .containers;
}

function createService(containers: unknown, runner?: CommandRunner): ContainerService {
  return new ContainerService({
    lxcPath: lxc.path,
    containers: containersConfig(containers),
    runtimeDir,
    hostWaylandDisplay: join(runtimeDir, 'wayland-1'),
    windows: new FakeWindows(),
    ...(runner === undefined ? {} : { runner }),
  });
}

function summary(state: ContainersState): string[] {
  return state.containers.map((container) => `${container.name} ${container.state}`);
}

/** The lxc-monitor processes following our LXC path, by their command lines. */
function monitorsOfPath(): number {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return argv[0] === '/usr/bin/lxc-monitor' && argv.includes(lxc.path);
      } catch {
        return false;
      }
    }).length;
}

const LIST = {
  list: {
    c2: {},
    c1: {},
    ghost: {},
    badnet: {},
  },
};

describe('ContainerService', () => {
  let log: LogCapture;
  let service: ContainerService;

  before(async () => {
    for (const name of ['c1', 'c2', 'spare']) await lxc.create(name);
    await lxc.create('badnet', ['lxc.net.0.type = veth', 'lxc.net.0.link = no-such-bridge']);
  });

  after(async () => {
    await lxc.destroy();
    // The stderr files were unlinked as soon as they were opened.
    assert.deepEqual(readdirSync(runtimeDir), []);
    rmSync(runtimeDir, { recursive: true });
  });

  beforeEach(async () => {
    log = captureLog();
    service = createService(LIST);
    await service.start();
  });

  afterEach(async () => {
    service.close();
    log.restore();
    // close() sends SIGTERM at once; the process takes a moment to go.
    await waitUntil(() => monitorsOfPath() === 0, 'lxc-monitor to end after close()');
  });

  test('shows configured containers in config order, then the others by name', () => {
    assert.deepEqual(summary(service.state), [
      'c2 STOPPED',
      'c1 STOPPED',
      'ghost MISSING',
      'badnet STOPPED',
      'spare STOPPED',
    ]);
    assert.deepEqual(
      service.state.containers.map((container) => container.configured),
      [true, true, true, true, false],
    );
    assert.equal(service.state.listed, true);
    assert.equal(service.state.error, null);
  });

  test('shows a configured container that does not exist as MISSING, logged once', async () => {
    assert.equal(
      containerNamed(service.state, 'ghost').error,
      `no such container under ${lxc.path}`,
    );
    await service.refresh();
    await service.refresh();
    assert.deepEqual(log.lines, [
      `cexbar: warn: containers: ghost: no such container under ${lxc.path}`,
    ]);
    await assert.rejects(service.activate('ghost'), {
      message: `no such container under ${lxc.path}`,
    });
    await assert.rejects(service.activate('x;id'), {
      message: 'no container named "x;id" on the bar',
    });
  });

  test('starts a stopped container on activate, showing the task while it runs', async () => {
    const tasks: (string | null)[] = [];
    const unsubscribe = service.subscribe((state) => {
      tasks.push(containerNamed(state, 'c1').task);
    });
    await service.activate('c1');
    unsubscribe();
    assert.equal(tasks[0], 'starting');
    assert.equal(tasks.at(-1), null);
    assert.equal((await lxc.lxc('lxc-info', '-n', 'c1', '-sH')).trim(), 'RUNNING');
    const c1 = containerNamed(service.state, 'c1');
    assert.equal(c1.state, 'RUNNING');
    assert.equal(c1.error, null);
    // A running container with no session: a second click has nothing more to do.
    await service.activate('c1');
    await lxc.lxc('lxc-stop', '-k', '-n', 'c1');
  });

  test('shows why a start failed on that container and logs it once', async () => {
    log.lines.length = 0;
    await assert.rejects(service.activate('badnet'));
    const badnet = containerNamed(service.state, 'badnet');
    const reason =
      'No such file or directory - Failed to attach "veth\\w+" to bridge "no-such-bridge", ' +
      "bridge interface doesn't exist";
    assert.match(badnet.error ?? '', new RegExp(`^lxc-start failed: ${reason}$`));
    assert.equal(badnet.task, null);
    assert.equal(log.lines.length, 1, log.lines.join('\n'));
    assert.match(
      log.lines[0] ?? '',
      new RegExp(
        `^cexbar: warn: containers: badnet: ${process.execPath} ${LXC_HELPER} start ` +
          `${lxc.path} badnet failed with exit code 1: ${reason}$`,
      ),
    );
    assert.equal(service.state.error, null);
  });

  test('follows a change made outside it through lxc-monitor, without refresh', async () => {
    // lxc-monitor has no ready signal, and starts behind the helper's node: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lxc.lxc('lxc-start', '-n', 'c2');
    await waitForState(
      service,
      'c2 RUNNING in the service',
      (state) => summary(state).includes('c2 RUNNING'),
      5_000,
    );
    await lxc.lxc('lxc-stop', '-k', '-n', 'c2');
    await waitForState(
      service,
      'c2 STOPPED in the service',
      (state) => summary(state).includes('c2 STOPPED'),
      5_000,
    );
  });

  test('runs one lxc-monitor whatever the refreshes (afterEach: close ends it)', async () => {
    await Promise.all([service.refresh(), service.refresh(), service.refresh()]);
    assert.equal(monitorsOfPath(), 1);
  });

  test('hides containers that are not configured when showUnlisted is false', async () => {
    const hidden = createService({ showUnlisted: false, list: { c1: {} } });
    await hidden.refresh();
    assert.deepEqual(summary(hidden.state), ['c1 STOPPED']);
    hidden.close();
  });
});

describe('ContainerService without the sudoers line', () => {
  /** A runner that answers as sudo does for a user without cexbar's sudoers line. */
  class RefusedRunner extends CommandRunner {
    override run(verb: LxcVerb, args: readonly string[]): Promise<RunResult> {
      return Promise.reject(new PrivilegeError(this.argv(verb, args)));
    }

    override spawnLines(verb: LxcVerb, args: readonly string[]): RunningCommand {
      const argv = this.argv(verb, args);
      return { argv, exited: Promise.resolve(new PrivilegeError(argv)), stop: () => undefined };
    }
  }

  test('shows the missing sudoers line once, for the whole module', async () => {
    const log = captureLog();
    const service = createService({ list: { c1: {} } }, new RefusedRunner({ sudo: true }));
    try {
      await service.start();
      await service.refresh();
      await assert.rejects(service.activate('c1'), PrivilegeError);
      assert.equal(
        service.state.error,
        'container actions need the sudoers line from runit/sudoers.in, installed as ' +
          '/etc/sudoers.d/cexbar: sudo -n asks for a password',
      );
      assert.equal(service.state.listed, false);
      assert.deepEqual(
        service.state.containers.map((container) => [
          container.name,
          container.state,
          container.error,
        ]),
        [['c1', 'UNKNOWN', null]],
      );
      assert.deepEqual(log.lines, [
        'cexbar: warn: containers: container actions need the sudoers line from ' +
          'runit/sudoers.in, installed as /etc/sudoers.d/cexbar: sudo -n asks for a password',
      ]);
    } finally {
      service.close();
      log.restore();
    }
  });

  test('shows the missing helper once, with the command that installs it', async () => {
    const log = captureLog();
    const runner = new CommandRunner({ sudo: true, helper: '/nonexistent/cexbar-lxc-helper' });
    const service = createService({ list: { c1: {} } }, runner);
    const message =
      "container actions need cexbar's LXC helper, missing at /nonexistent/cexbar-lxc-helper: " +
      "install it as root with scripts/install-helper.sh in cexbar's folder";
    try {
      await service.start();
      await service.refresh();
      await assert.rejects(service.activate('c1'), { name: 'PrivilegeError', message });
      assert.equal(service.state.error, message);
      assert.deepEqual(log.lines, [`cexbar: warn: containers: ${message}`]);
    } finally {
      service.close();
      log.restore();
    }
  });
});

async function waitUntil(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
