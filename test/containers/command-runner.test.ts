import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CommandRunner,
  helperMissingMessage,
  LXC_HELPER,
  LxcCommandError,
  PrivilegeError,
  type LxcVerb,
} from '../../src/containers/command-runner.js';
import { createLxcSandbox } from '../../scripts/harness/lxc.js';
import { appDir } from '../../scripts/harness/panel.js';

const execFileAsync = promisify(execFile);
// From the app folder the desktop user can read: a checkout under /root is out of its reach.
const RUNNER_AS_USER = join(appDir(), 'dist', 'test', 'containers', 'helpers', 'runner-as-user.js');

/** Runs the runner in a node process of `user` (not root), as the panel runs it. */
async function runAsUser(user: string, ...argv: string[]): Promise<Record<string, string>> {
  const gid = execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
  const { stdout } = await execFileAsync(
    'setpriv',
    [
      `--reuid=${user}`,
      `--regid=${gid}`,
      '--init-groups',
      '--reset-env',
      'env',
      'PATH=/usr/bin:/bin',
      process.execPath,
      RUNNER_AS_USER,
      ...argv,
    ],
    { cwd: '/' },
  );
  return JSON.parse(stdout) as Record<string, string>;
}

/** Polls until `read` returns a non-empty array (lxc-monitor has no ready signal). */
async function waitFor<T>(read: () => T[]): Promise<T[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = read();
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The environments of the helper's monitor process for `lxcPath` and of its lxc-monitor. */
function environmentsOf(lxcPath: string): [string, string[]][] {
  const found: [string, string[]][] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const env = environ.filter((line) => line !== '');
      if (argv[1] === LXC_HELPER && argv[2] === 'monitor' && argv[3] === lxcPath) {
        found.push(['helper', env]);
      } else if (argv[0] === '/usr/bin/lxc-monitor' && argv.includes(lxcPath)) {
        found.push(['lxc-monitor', env]);
      }
    } catch {
      // A process that ended while we read it.
    }
  }
  return found.length === 2 ? found.sort() : [];
}

/** Whether any helper monitor or lxc-monitor of `lxcPath` is alive (found alone or together). */
function anyMonitorOf(lxcPath: string): boolean {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((entry) => {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const monitorArgv = argv[0] === '/usr/bin/lxc-monitor' || argv[2] === 'monitor';
        return monitorArgv && argv.includes(lxcPath);
      } catch {
        return false;
      }
    });
}

describe('CommandRunner', () => {
  const lxc = createLxcSandbox();
  const scratchDir = mkdtempSync(join(tmpdir(), 'cexbar-scratch-'));
  const runner = new CommandRunner({ scratchDir });

  before(async () => {
    await lxc.create('c1');
    await lxc.create('badnet', ['lxc.net.0.type = veth', 'lxc.net.0.link = no-such-bridge']);
    await lxc.lxc('lxc-start', '-n', 'c1');
  });

  after(async () => {
    await lxc.destroy();
    rmSync(scratchDir, { recursive: true, force: true });
  });

  test('sends verbs to the installed helper, through sudo -n only when asked or not root', () => {
    assert.deepEqual(runner.argv('list', ['/var/lib/lxc']), [
      process.execPath,
      LXC_HELPER,
      'list',
      '/var/lib/lxc',
    ]);
    assert.deepEqual(new CommandRunner({ sudo: true }).argv('state', ['/var/lib/lxc', 'c1']), [
      '/usr/bin/sudo',
      '-n',
      '/usr/local/libexec/cexbar/cexbar-lxc-helper',
      'state',
      '/var/lib/lxc',
      'c1',
    ]);
  });

  test('refuses a verb the helper does not have before running anything', () => {
    assert.throws(() => runner.argv('sh' as LxcVerb, ['-c', 'id']), {
      message:
        'command runner: "sh" is not a verb of the LXC helper; verbs: list, state, info, ' +
        'idmap, start, stop, kill, freeze, unfreeze, monitor, attach, attach-x, watch',
    });
  });

  test('gives the helper and its lxc-* programs PATH and nothing else', async () => {
    process.env.CEXBAR_TEST_SECRET = 'do-not-pass';
    const monitor = runner.spawnLines('monitor', [lxc.path], () => undefined);
    try {
      const environments = await waitFor(() => environmentsOf(lxc.path));
      assert.deepEqual(environments, [
        ['helper', ['PATH=/usr/sbin:/usr/bin:/sbin:/bin']],
        ['lxc-monitor', ['PATH=/usr/sbin:/usr/bin:/sbin:/bin']],
      ]);
    } finally {
      monitor.stop();
      delete process.env.CEXBAR_TEST_SECRET;
    }
    assert.equal(await monitor.exited, null);
  });

  test("reports a failed command's line, exit code and first stderr line", async () => {
    // lxc-stop exits with 2 like a refusal of the helper, but it ran: not a refusal.
    const failure = await runner.run('stop', [lxc.path, 'badnet']).then(
      () => assert.fail('lxc-stop of a stopped container succeeded'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.match(
      failure.message,
      new RegExp(
        `^${process.execPath} ${LXC_HELPER} stop ${lxc.path} badnet failed with exit code 2: ` +
          'lxc-stop: badnet: .*lxc_stop.c: main: \\d+ badnet is not running$',
      ),
    );
    assert.equal(failure.exitCode, 2);
    assert.equal(failure.refused, false);
    assert.equal(failure.program, 'lxc-stop');
    assert.ok(failure.cause instanceof Error);
  });

  test("reports the helper's refusal as its one line, and as refused", async () => {
    const failure = await runner.run('start', [lxc.path, 'x;id']).then(
      () => assert.fail('the helper accepted x;id'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.equal(failure.refused, true);
    assert.equal(
      failure.reason,
      'cexbar-lxc-helper: invalid container name "x;id": a name starts with a letter or digit ' +
        'and holds only letters, digits, "_", "." and "-" (at most 64), never ".."',
    );
  });

  test('says how to install the helper where it is missing, running nothing', async () => {
    const missing = new CommandRunner({ helper: '/nonexistent/cexbar-lxc-helper' });
    await assert.rejects(missing.run('list', [lxc.path]), {
      name: 'PrivilegeError',
      message:
        "container actions need cexbar's LXC helper, missing at " +
        '/nonexistent/cexbar-lxc-helper: install it as root with ' +
        "scripts/install-helper.sh in cexbar's folder",
    });
    const monitor = missing.spawnLines('monitor', [lxc.path], () => undefined);
    const exited = await monitor.exited;
    assert.ok(exited instanceof PrivilegeError);
    assert.equal(exited.message, helperMissingMessage('/nonexistent/cexbar-lxc-helper'));
    assert.equal(
      helperMissingMessage(),
      "container actions need cexbar's LXC helper, missing at " +
        '/usr/local/libexec/cexbar/cexbar-lxc-helper: install it as root with ' +
        "scripts/install-helper.sh in cexbar's folder",
    );
  });

  test('reads stderr through a file when a daemon keeps it open, and leaves no file', async () => {
    const args = [lxc.path, 'badnet'];
    const failure = await runner.run('start', args, { stderrToFile: true }).then(
      () => assert.fail('lxc-start of badnet succeeded'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.match(failure.stderr, /bridge interface doesn't exist/);
    assert.deepEqual(readdirSync(scratchDir), []);
  });

  test('streams the lines of a long-running program until stopped', async () => {
    const lines: string[] = [];
    const monitor = runner.spawnLines('monitor', [lxc.path], (line) => lines.push(line));
    // lxc-monitor has no ready signal: give it a moment to connect before the change.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lxc.lxc('lxc-stop', '-k', '-n', 'c1');
    const deadline = Date.now() + 5_000;
    while (!lines.includes("'c1' changed state to [STOPPED]") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    monitor.stop();
    assert.equal(await monitor.exited, null);
    assert.ok(lines.includes("'c1' changed state to [STOPPED]"), `lines: ${lines.join(' | ')}`);
  });

  test('runs the helper through sudo -n for the desktop user with the sudoers line', async () => {
    const result = await runAsUser('cexbar', 'state', lxc.path, 'badnet');
    assert.deepEqual(result, { stdout: 'STOPPED' });
  });

  test("ends the helper's root lxc-monitor when the panel that started it is killed", async () => {
    const gid = execFileSync('id', ['-g', 'cexbar'], { encoding: 'utf8' }).trim();
    const panel = spawn(
      'setpriv',
      ['--reuid=cexbar', `--regid=${gid}`, '--init-groups', '--reset-env', 'env'].concat(
        'PATH=/usr/bin:/bin',
        process.execPath,
        RUNNER_AS_USER,
        'monitor',
        lxc.path,
      ),
      { cwd: '/', stdio: 'ignore' },
    );
    const running = await waitFor(() => environmentsOf(lxc.path));
    assert.equal(running.length, 2, 'the helper and its lxc-monitor run');
    panel.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (environmentsOf(lxc.path).length > 0 || anyMonitorOf(lxc.path)) {
      assert.ok(Date.now() < deadline, 'a root lxc-monitor outlived the killed panel');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  test('says which sudoers line is missing when sudo asks for a password', async () => {
    const result = await runAsUser('nobody', 'list', lxc.path);
    assert.deepEqual(result, {
      error: 'PrivilegeError',
      message:
        'container actions need the sudoers line from runit/sudoers.in, installed as ' +
        '/etc/sudoers.d/cexbar: sudo -n asks for a password',
    });
    assert.deepEqual(new PrivilegeError(['/usr/bin/sudo', '-n']).argv, ['/usr/bin/sudo', '-n']);
  });
});
