import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LXC_HELPER } from '../../src/containers/command-runner.js';
import { LIST_COLUMNS } from '../../src/containers/lxc-parsers.js';
import { createLxcSandbox, TEST_LXC_PARENT } from '../../scripts/harness/lxc.js';
import { DESKTOP_USER } from '../../scripts/harness/run-as-user.js';

/*
 * cexbar's LXC helper as installed (root-owned, scripts/install-helper.sh), run the way root
 * runs it for the panel: directly, and as the desktop user through sudo -n. Refusals print one
 * exact line, exit with 2 and run nothing: the running container they aim at stays running.
 */

const scratch = mkdtempSync(join(tmpdir(), 'cexbar-helper-test-'));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` and resolves with how it ended, never rejecting on a failure. Its stderr is a
 * file, as the command runner gives it: lxc-start's `-o /dev/stderr` cannot open a socket.
 */
function run(argv: readonly string[], env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' }) {
  const [file, ...args] = argv as [string, ...string[]];
  const stderrPath = join(scratch, `stderr-${randomBytes(6).toString('hex')}`);
  const stderrFd = openSync(stderrPath, 'ax+', 0o600);
  return new Promise<Outcome>((resolve) => {
    const child = spawn(file, args, { env, cwd: '/', stdio: ['ignore', 'pipe', stderrFd] });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('close', (code) => {
      closeSync(stderrFd);
      const stderr = readFileSync(stderrPath, 'utf8');
      rmSync(stderrPath);
      resolve({ code, stdout, stderr });
    });
  });
}

const helper = (...args: string[]): Promise<Outcome> => run([LXC_HELPER, ...args]);

/** The start of a command line that runs the rest as the desktop user. */
const AS_DESKTOP_USER = [
  'setpriv',
  `--reuid=${DESKTOP_USER}`,
  `--regid=${DESKTOP_USER}`,
  '--init-groups',
];

/** The same, as the desktop user through sudo -n, as the panel runs it. */
function helperAsUser(...args: string[]): Promise<Outcome> {
  return run([...AS_DESKTOP_USER, '--reset-env', '/usr/bin/sudo', '-n', LXC_HELPER, ...args]);
}

const NAME_RULE =
  'a name starts with a letter or digit and holds only letters, digits, "_", "." and "-" ' +
  '(at most 64), never ".."';

function refusal(message: string): Outcome {
  return { code: 2, stdout: '', stderr: `cexbar-lxc-helper: ${message}\n` };
}

describe('cexbar-lxc-helper', () => {
  const lxc = createLxcSandbox();
  // A real LXC path that is not allowlisted: the helper must not touch its running container.
  const outside = mkdtempSync(join(tmpdir(), 'cexbar-not-allowed-'));
  const userOwned = join(TEST_LXC_PARENT, `user-owned-${process.pid}`);

  before(async () => {
    await lxc.create('c1');
    await lxc.create('c2');
    await lxc.start('c1');
    mkdirSync(userOwned, { mode: 0o755 });
    const { uid, gid } = statSync(`/home/${DESKTOP_USER}`);
    chownSync(userOwned, uid, gid);
  });

  after(async () => {
    await lxc.destroy();
    rmSync(outside, { recursive: true, force: true });
    rmSync(userOwned, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  test('is installed root-owned, mode 0755, in root-owned folders', () => {
    for (const path of [LXC_HELPER, '/usr/local/libexec/cexbar', '/usr/local/libexec']) {
      const stats = statSync(path);
      assert.equal(stats.uid, 0, path);
      assert.equal(stats.mode & 0o7777, 0o755, path);
    }
  });

  test('refuses option, path and shell-word names with the rule, running nothing', async () => {
    for (const name of ['-h', '--help', '../x', 'a b', 'x;id', '$(id)', '', '..']) {
      const outcome = await helper('kill', lxc.path, name);
      assert.deepEqual(
        outcome,
        refusal(`invalid container name ${JSON.stringify(name)}: ${NAME_RULE}`),
        name,
      );
    }
    assert.equal(await lxc.state('c1'), 'RUNNING');
  });

  test('refuses a container that does not exist under the LXC path', async () => {
    assert.deepEqual(
      await helper('kill', lxc.path, 'nope'),
      refusal(`container nope doesn't exist under ${lxc.path} (no ${lxc.path}/nope/config)`),
    );
  });

  test('refuses an unknown verb, help options and a wrong argument count', async () => {
    const verbs =
      'list, state, info, idmap, start, stop, kill, freeze, unfreeze, monitor, attach, ' +
      'attach-x, watch';
    for (const verb of ['destroy', '-h', '--help']) {
      assert.deepEqual(
        await helper(verb, lxc.path, 'c1'),
        refusal(`unknown verb ${JSON.stringify(verb)}; verbs: ${verbs}`),
      );
    }
    assert.deepEqual(
      await helper('kill', lxc.path, 'c1', '-s'),
      refusal('usage: cexbar-lxc-helper kill LXC_PATH NAME (received 3 arguments after the verb)'),
    );
    assert.deepEqual(
      await helper('attach', lxc.path, 'c1', '/bin/sh'),
      refusal(
        'usage: cexbar-lxc-helper attach LXC_PATH NAME [UID:GID] -- COMMAND... ' +
          '(received 3 arguments after the verb)',
      ),
    );
    assert.equal(await lxc.state('c1'), 'RUNNING');
  });

  test('refuses an LXC path that is not allowlisted, naming the file to add it to', async () => {
    await run(['lxc-create', '-P', outside, '-n', 'c1', '-t', 'busybox']);
    for (const path of [outside, `${lxc.path}/../${lxc.path.split('/').pop() ?? ''}`]) {
      const outcome = await helper('kill', path, 'c1');
      const expected = path.includes('..')
        ? `LXC path ${JSON.stringify(path)} must be absolute, without "..", "//" or a final "/"`
        : `LXC path ${path} is not allowed: add it to /etc/cexbar/lxc-paths ` +
          '(root-owned, one path a line)';
      assert.deepEqual(outcome, refusal(expected));
    }
    assert.deepEqual(
      await helper('list', userOwned),
      refusal(`LXC path ${userOwned} must be a folder owned by root and writable by no one else`),
    );
    assert.equal(await lxc.state('c1'), 'RUNNING');
  });

  test('refuses to watch a bad, unlisted or user-owned path, or with a name', async () => {
    const notAllowed = (path: string): string =>
      `LXC path ${path} is not allowed: add it to /etc/cexbar/lxc-paths ` +
      '(root-owned, one path a line)';
    const refusals: [string[], string][] = [
      [
        [`${lxc.path}/`],
        `LXC path "${lxc.path}/" must be absolute, without "..", "//" or a final "/"`,
      ],
      [['lxc'], 'LXC path "lxc" must be absolute, without "..", "//" or a final "/"'],
      [[outside], notAllowed(outside)],
      [['/tmp'], notAllowed('/tmp')],
      [
        [userOwned],
        `LXC path ${userOwned} must be a folder owned by root and writable by no one else`,
      ],
      [
        [lxc.path, 'c1'],
        'usage: cexbar-lxc-helper watch LXC_PATH (received 2 arguments after the verb)',
      ],
      [[], 'usage: cexbar-lxc-helper watch LXC_PATH (received 0 arguments after the verb)'],
    ];
    for (const [args, message] of refusals) {
      assert.deepEqual(await helperAsUser('watch', ...args), refusal(message), args.join(' '));
    }
  });

  test('watches a mode 751 path for the desktop user: a bare line per change, "gone" at the end', async () => {
    const watched = mkdtempSync(join(TEST_LXC_PARENT, 'watched-'));
    chmodSync(watched, 0o751);
    const argv = [...AS_DESKTOP_USER, '--reset-env', '/usr/bin/sudo', '-n', LXC_HELPER];
    const child = spawn(argv[0] ?? '', [...argv.slice(1), 'watch', watched], {
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    const nextLine = (wanted: string): Promise<void> =>
      new Promise((resolve) => {
        const onData = (chunk: string): void => {
          lines.push(...chunk.split('\n').filter((line) => line !== ''));
          if (lines.at(-1) === wanted) {
            child.stdout.off('data', onData);
            resolve();
          }
        };
        child.stdout.on('data', onData);
      });
    child.stdout.setEncoding('utf8');
    try {
      await nextLine('watching');
      mkdirSync(join(watched, 'secret-name'));
      await nextLine('changed');
      rmSync(watched, { recursive: true });
      await nextLine('gone');
      assert.equal(await ended, 1);
      assert.equal(stderr, `cexbar-lxc-helper: stopped watching ${watched}: it is gone\n`);
      assert.equal(lines.join(' ').includes('secret'), false, 'an entry name was printed');
    } finally {
      child.kill('SIGKILL');
      rmSync(watched, { recursive: true, force: true });
    }
  });

  test("ends a watch when the caller's standard input closes, as a killed panel's does", async () => {
    const child = spawn(LXC_HELPER, ['watch', lxc.path], {
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdin.end();
    assert.equal(await ended, 0);
  });

  test('refuses to read an allowlist file that others could write', async () => {
    chmodSync('/etc/cexbar/lxc-paths', 0o646);
    try {
      assert.deepEqual(
        await helper('list', lxc.path),
        refusal(
          '/etc/cexbar/lxc-paths must be a file owned by root and writable by no one else: ' +
            'not reading it',
        ),
      );
    } finally {
      chmodSync('/etc/cexbar/lxc-paths', 0o644);
    }
  });

  test('starts, freezes, thaws, kills and stops real containers', async () => {
    assert.equal((await helper('start', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'RUNNING');
    assert.deepEqual(await helper('state', lxc.path, 'c2'), {
      code: 0,
      stdout: 'RUNNING\n',
      stderr: '',
    });
    assert.equal((await helper('freeze', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'FROZEN');
    assert.equal((await helper('unfreeze', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'RUNNING');
    assert.equal((await helper('kill', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'STOPPED');
    await lxc.start('c2');
    assert.equal((await helper('stop', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'STOPPED');
  });

  test('takes a stop timeout only as whole seconds from 1 to 3600', async () => {
    for (const seconds of ['0', '-1', '+5', '05', '1e3', '3601', '1.5', ' 3', '30 ', '99999']) {
      assert.deepEqual(
        await helper('stop', lxc.path, 'c1', seconds),
        refusal(`invalid stop timeout ${JSON.stringify(seconds)}: whole seconds from 1 to 3600`),
      );
    }
    assert.deepEqual(
      await helper('stop', lxc.path, 'c1', '5', '6'),
      refusal(
        'usage: cexbar-lxc-helper stop LXC_PATH NAME [SECONDS] ' +
          '(received 4 arguments after the verb)',
      ),
    );
    assert.equal(await lxc.state('c1'), 'RUNNING');
  });

  test("prints lxc-info's details of a running container", async () => {
    const { code, stdout } = await helper('info', lxc.path, 'c1');
    assert.equal(code, 0);
    assert.match(stdout, /^Name: +c1\nState: +RUNNING\nPID: +\d+\n/);
    assert.match(stdout, /^Memory use: +\d+$/m);
  });

  test("lists the path's containers with the columns the backend parses", async () => {
    const { code, stdout } = await helper('list', lxc.path);
    assert.equal(code, 0);
    assert.match(stdout, /^NAME +STATE +IPV4 *\nc1 +RUNNING +- *\nc2 +STOPPED +- *\n$/);
    assert.deepEqual(stdout.split('\n')[0]?.trim().split(/ +/), [...LIST_COLUMNS]);
  });

  test('attaches with a clean environment but for the session socket', async () => {
    const { code, stdout } = await run([LXC_HELPER, 'attach', lxc.path, 'c1', '--', '/bin/env'], {
      PATH: '/usr/bin:/bin',
      CEXBAR_TEST_SECRET: 'do-not-pass',
    });
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.ok(lines.includes('WAYLAND_DISPLAY=/run/cexbar-session/wayland-0'), stdout);
    assert.equal(stdout.includes('CEXBAR_TEST_SECRET'), false);
  });

  test('attaches an X program with DISPLAY alone, the number it was given', async () => {
    const argv = [LXC_HELPER, 'attach-x', lxc.path, 'c1', '42', '--', '/bin/env'];
    const { code, stdout } = await run(argv, {
      PATH: '/usr/bin:/bin',
      CEXBAR_TEST_SECRET: 'do-not-pass',
    });
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.ok(lines.includes('DISPLAY=:42'), stdout);
    assert.equal(stdout.includes('WAYLAND_DISPLAY'), false);
    assert.equal(stdout.includes('CEXBAR_TEST_SECRET'), false);
  });

  test("attaches as the container's user given as UID:GID, for both attach verbs", async () => {
    const script = 'echo $(id -u):$(id -g) $DISPLAY$WAYLAND_DISPLAY';
    const asUser = await helper(
      'attach',
      lxc.path,
      'c1',
      '1000:1001',
      '--',
      '/bin/sh',
      '-c',
      script,
    );
    assert.deepEqual(asUser, {
      code: 0,
      stdout: '1000:1001 /run/cexbar-session/wayland-0\n',
      stderr: '',
    });
    const x = await helper('attach-x', lxc.path, 'c1', '7', '0:0', '--', '/bin/sh', '-c', script);
    assert.deepEqual(x, { code: 0, stdout: '0:0 :7\n', stderr: '' });
  });

  test('refuses a user that is not two plain numbers, running nothing', async () => {
    const marker = '/tmp/cexbar-helper-user-ran';
    const users = [
      '1000',
      'root:root',
      '-1:0',
      '01:1',
      '1:+1',
      '4294967295:0',
      '1:2:3',
      ':',
      ' 1:1',
    ];
    for (const user of users) {
      assert.deepEqual(
        await helper('attach', lxc.path, 'c1', user, '--', '/bin/touch', marker),
        refusal(
          `invalid user ${JSON.stringify(user)}: UID:GID, two numbers from 0 to 4294967294, ` +
            'as "1000:1000"',
        ),
        user,
      );
    }
    const inside = await lxc.lxc('lxc-attach', '-n', 'c1', '--', '/bin/ls', '/tmp');
    assert.equal(inside.includes('cexbar-helper-user-ran'), false);
  });

  test("prints a container's id maps, none for a privileged one", async () => {
    assert.deepEqual(await helper('idmap', lxc.path, 'c1'), {
      code: 0,
      stdout: 'lxc.idmap =\n',
      stderr: '',
    });
  });

  test('refuses an attach-x display that is not a plain small number', async () => {
    for (const display of ['', ':1', '1.0', '01', '-1', '+1', '1000', '1 ', 'x', '--']) {
      assert.deepEqual(
        await helper('attach-x', lxc.path, 'c1', display, '--', '/bin/true'),
        refusal(
          `invalid display ${JSON.stringify(display)}: a display number from 0 to 999, as "12"`,
        ),
        display,
      );
    }
    assert.deepEqual(
      await helper('attach-x', lxc.path, 'c1', '--', '/bin/true'),
      refusal(
        'usage: cexbar-lxc-helper attach-x LXC_PATH NAME DISPLAY [UID:GID] -- COMMAND... ' +
          '(received 4 arguments after the verb)',
      ),
    );
    assert.deepEqual(
      await helper('attach-x', lxc.path, 'c1', '3'),
      refusal(
        'usage: cexbar-lxc-helper attach-x LXC_PATH NAME DISPLAY [UID:GID] -- COMMAND... ' +
          '(received 3 arguments after the verb)',
      ),
    );
    assert.equal(await lxc.state('c1'), 'RUNNING');
  });

  test('runs for the desktop user through sudo -n, refusing alike', async () => {
    assert.equal((await helperAsUser('start', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'RUNNING');
    assert.deepEqual(
      await helperAsUser('kill', lxc.path, 'x;id'),
      refusal(`invalid container name "x;id": ${NAME_RULE}`),
    );
    assert.deepEqual(
      await helperAsUser('kill', outside, 'c1'),
      refusal(
        `LXC path ${outside} is not allowed: add it to /etc/cexbar/lxc-paths ` +
          '(root-owned, one path a line)',
      ),
    );
    assert.equal((await helperAsUser('kill', lxc.path, 'c2')).code, 0);
    assert.equal(await lxc.state('c2'), 'STOPPED');
  });

  test("takes no Node options from the user's environment through sudo", async () => {
    const marker = join(scratch, 'injected');
    const injected = join(scratch, 'inject.js');
    writeFileSync(injected, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`);
    chmodSync(scratch, 0o755);
    chmodSync(injected, 0o644);
    const outcome = await run(
      [...AS_DESKTOP_USER, '/usr/bin/sudo', '-n', LXC_HELPER, 'state', lxc.path, 'c1'],
      { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require=${injected}`, NODE_PATH: scratch },
    );
    assert.deepEqual(outcome, { code: 0, stdout: 'RUNNING\n', stderr: '' });
    assert.equal(existsSync(marker), false, 'NODE_OPTIONS reached the helper');
  });

  test('leaves the desktop user no lxc-* program through sudo', async () => {
    const outcome = await run([
      ...AS_DESKTOP_USER,
      '--reset-env',
      '/usr/bin/sudo',
      '-n',
      '/usr/bin/lxc-start',
      '-P',
      lxc.path,
      '-n',
      'c2',
    ]);
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stderr, 'sudo: a password is required\n');
    assert.equal(await lxc.state('c2'), 'STOPPED');
  });
});
