import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CommandRunner,
  LxcCommandError,
  PrivilegeError,
  type LxcProgram,
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

  test('runs a program by its absolute path, through sudo -n only when asked or not root', () => {
    assert.deepEqual(runner.argv('lxc-ls', ['-1']), ['/usr/bin/lxc-ls', '-1']);
    assert.deepEqual(new CommandRunner({ sudo: true }).argv('lxc-info', ['-n', 'c1']), [
      '/usr/bin/sudo',
      '-n',
      '/usr/bin/lxc-info',
      '-n',
      'c1',
    ]);
  });

  test('refuses a program outside the allowlist before running anything', () => {
    assert.throws(() => runner.argv('sh' as LxcProgram, ['-c', 'id']), {
      message:
        'command runner: "sh" is not an allowed program; allowed: lxc-ls, lxc-info, ' +
        'lxc-start, lxc-stop, lxc-attach, lxc-monitor',
    });
  });

  test('gives programs PATH and nothing else of the panel environment', async () => {
    process.env.CEXBAR_TEST_SECRET = 'do-not-pass';
    try {
      // lxc-attach without --clear-env hands its own environment to the command: ours.
      const { stdout } = await runner.run('lxc-attach', [
        '-P',
        lxc.path,
        '-n',
        'c1',
        '--',
        '/bin/env',
      ]);
      const names = stdout.split('\n').map((line) => line.split('=')[0]);
      assert.equal(names.includes('CEXBAR_TEST_SECRET'), false);
      assert.equal(names.includes('HOME'), false);
      assert.equal(names.includes('PATH'), true);
    } finally {
      delete process.env.CEXBAR_TEST_SECRET;
    }
  });

  test("reports a failed command's line, exit code and first stderr line", async () => {
    const failure = await runner.run('lxc-info', ['-P', lxc.path, '-n', 'nope', '-sH']).then(
      () => assert.fail('lxc-info of a missing container succeeded'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.equal(
      failure.message,
      `/usr/bin/lxc-info -P ${lxc.path} -n nope -sH failed with exit code 1: nope doesn't exist`,
    );
    assert.equal(failure.exitCode, 1);
    assert.equal(failure.program, 'lxc-info');
    assert.ok(failure.cause instanceof Error);
  });

  test('reads stderr through a file when a daemon keeps it open, and leaves no file', async () => {
    const args = ['-P', lxc.path, '-n', 'badnet', '-d', '-o', '/dev/stderr', '-l', 'ERROR'];
    const failure = await runner.run('lxc-start', args, { stderrToFile: true }).then(
      () => assert.fail('lxc-start of badnet succeeded'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof LxcCommandError);
    assert.match(failure.stderr, /bridge interface doesn't exist/);
    assert.deepEqual(readdirSync(scratchDir), []);
  });

  test('streams the lines of a long-running program until stopped', async () => {
    const lines: string[] = [];
    const monitor = runner.spawnLines('lxc-monitor', ['-P', lxc.path, '-n', '.*'], (line) =>
      lines.push(line),
    );
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

  test('runs lxc-* through sudo -n for the desktop user with the sudoers line', async () => {
    const result = await runAsUser('cexbar', 'lxc-ls', '-P', lxc.path, '-1');
    assert.deepEqual(result, { stdout: 'badnet\nc1' });
  });

  test('says which sudoers line is missing when sudo asks for a password', async () => {
    const result = await runAsUser('nobody', 'lxc-ls', '-P', lxc.path, '-1');
    assert.deepEqual(result, {
      error: 'PrivilegeError',
      message:
        'container actions need the sudoers line from runit/sudoers.in, installed as ' +
        '/etc/sudoers.d/cexbar: sudo -n asks for a password',
    });
    assert.deepEqual(new PrivilegeError(['/usr/bin/sudo', '-n']).argv, ['/usr/bin/sudo', '-n']);
  });
});
