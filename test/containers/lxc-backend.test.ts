import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CommandRunner,
  LXC_HELPER,
  LxcCommandError,
  type LxcVerb,
  type RunOptions,
  type RunResult,
} from '../../src/containers/command-runner.js';
import { LxcBackend } from '../../src/containers/lxc-backend.js';
import type { LxcMonitorEvent } from '../../src/containers/lxc-parsers.js';
import { ContainerNameError } from '../../src/containers/names.js';
import { createLxcSandbox } from '../../scripts/harness/lxc.js';

const NO_SUCH_BRIDGE = new RegExp(
  '^No such file or directory - Failed to attach "veth\\w+" to bridge "no-such-bridge", ' +
    "bridge interface doesn't exist$",
);

/** The real runner, remembering every command it was asked to run. */
class RecordingRunner extends CommandRunner {
  readonly calls: string[][] = [];

  override run(verb: LxcVerb, args: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.calls.push([verb, ...args]);
    return super.run(verb, args, options);
  }
}

describe('LxcBackend', () => {
  const lxc = createLxcSandbox();
  const runner = new RecordingRunner();
  const backend = new LxcBackend(lxc.path, runner);

  before(async () => {
    await lxc.create('c1');
    await lxc.create('c2');
    await lxc.create('badnet', ['lxc.net.0.type = veth', 'lxc.net.0.link = no-such-bridge']);
  });

  after(async () => {
    await lxc.destroy();
  });

  test('lists every container with its real state', async () => {
    await lxc.lxc('lxc-start', '-n', 'c2');
    assert.deepEqual(await backend.list(), [
      { name: 'badnet', state: 'STOPPED', ipv4: [] },
      { name: 'c1', state: 'STOPPED', ipv4: [] },
      { name: 'c2', state: 'RUNNING', ipv4: [] },
    ]);
    await lxc.lxc('lxc-stop', '-k', '-n', 'c2');
  });

  test('starts a container until lxc-info says RUNNING, then stops it', async () => {
    await backend.start('c1');
    assert.equal((await lxc.lxc('lxc-info', '-n', 'c1', '-sH')).trim(), 'RUNNING');
    assert.equal(await backend.state('c1'), 'RUNNING');
    await backend.stop('c1', { kill: true });
    assert.equal(await backend.state('c1'), 'STOPPED');
  });

  test('treats starting a running container and stopping a stopped one as done', async () => {
    await backend.start('c1');
    await backend.start('c1');
    await backend.stop('c1', { kill: true });
    await backend.stop('c1', { kill: true });
    assert.equal(await backend.state('c1'), 'STOPPED');
  });

  test('says MISSING for a container that does not exist', async () => {
    assert.equal(await backend.state('nope'), 'MISSING');
  });

  test("reports LXC's own reason when lxc-start fails", async () => {
    const failure = await backend.start('badnet').then(
      () => assert.fail('badnet started'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.match(failure.reason, NO_SUCH_BRIDGE);
    assert.equal(
      failure.message,
      `${process.execPath} ${LXC_HELPER} start ${lxc.path} badnet ` +
        `failed with exit code 1: ${failure.reason}`,
    );
  });

  test('refuses option, path and shell-word names before running anything', async () => {
    const before = runner.calls.length;
    for (const name of ['-h', '../x', 'a b', 'x;id', '', '..', '-n']) {
      for (const action of [backend.start(name), backend.stop(name), backend.state(name)]) {
        await assert.rejects(action, ContainerNameError);
      }
      assert.throws(() => backend.attachArgv(name, ['/bin/true']), ContainerNameError);
    }
    assert.equal(runner.calls.length, before);
  });

  test('always names the LXC path and the container as their own arguments', async () => {
    runner.calls.length = 0;
    await backend.state('c1');
    assert.deepEqual(runner.calls, [['state', lxc.path, 'c1']]);
  });

  test("builds the helper's attach argv a nested compositor runs", () => {
    assert.deepEqual(backend.attachArgv('c1', ['foot', '--server']), [
      process.execPath,
      LXC_HELPER,
      'attach',
      lxc.path,
      'c1',
      '--',
      'foot',
      '--server',
    ]);
  });

  test('freezes and thaws a running container', async () => {
    await backend.start('c1');
    await backend.freeze('c1');
    assert.equal(await lxc.state('c1'), 'FROZEN');
    await backend.unfreeze('c1');
    assert.equal(await lxc.state('c1'), 'RUNNING');
    await backend.stop('c1', { kill: true });
  });

  test('hears state changes through one lxc-monitor until stopped', async () => {
    const events: LxcMonitorEvent[] = [];
    const stop = backend.monitor((event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lxc.lxc('lxc-start', '-n', 'c2');
    const deadline = Date.now() + 5_000;
    while (!events.some((event) => event.kind === 'state' && event.state === 'RUNNING')) {
      if (Date.now() > deadline) assert.fail(`no RUNNING event: ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop();
    assert.deepEqual(events.slice(0, 2), [
      { kind: 'state', name: 'c2', state: 'STARTING' },
      { kind: 'state', name: 'c2', state: 'RUNNING' },
    ]);
    await lxc.lxc('lxc-stop', '-k', '-n', 'c2');
  });

  test('refuses an LXC path that is not absolute', () => {
    assert.throws(() => new LxcBackend('var/lib/lxc'), {
      message: 'LXC path must be an absolute path without newlines, received "var/lib/lxc"',
    });
  });
});
