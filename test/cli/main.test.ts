import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

/* The `cexbar` command as a user runs it: its exit codes and the exact messages it prints. */

const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'cexbar-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cexbar(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_RUNTIME_DIR: dir, ...env },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('check accepts a valid config and says so', () => {
  const file = configFile('good.jsonc', '// mine\n{ "height": 30 }\n');
  assert.deepEqual(cexbar(['check', file]), { code: 0, stdout: `${file}: valid\n`, stderr: '' });
});

test('check names the file, the problem and where it is', () => {
  const file = configFile('bad.jsonc', '{ "height": "tall" }');
  assert.deepEqual(cexbar(['check', file]), {
    code: 1,
    stdout: '',
    stderr:
      `cexbar: config ${file} is not valid:\n` +
      '✖ Invalid input: expected number, received string\n  → at height\n',
  });
});

test('the panel refuses to run on an invalid config, before it opens anything', () => {
  const file = configFile('unknown.jsonc', '{ "hieght": 30 }');
  const result = cexbar(['run', '-c', file], { SWAYSOCK: join(dir, 'no-sway.sock') });
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `cexbar: config ${file} is not valid:\n` +
      '✖ unknown key "hieght" (did you mean "height"?)\n  → at the top level of the file\n',
  );
});

test('check says a file is missing, rather than that it is not valid', () => {
  const file = join(dir, 'absent.jsonc');
  assert.deepEqual(cexbar(['check', file]), {
    code: 1,
    stdout: '',
    stderr: `cexbar: config ${file} does not exist\n`,
  });
});

test('check says a file cannot be read, and why', () => {
  assert.deepEqual(cexbar(['check', dir]), {
    code: 1,
    stdout: '',
    stderr: `cexbar: config ${dir} cannot be read (it is a folder)\n`,
  });
});

test('check reports the first syntax error only, in words', () => {
  const file = configFile('syntax.jsonc', '{\n  "height": 30\n  "clock": {}\n');
  assert.deepEqual(cexbar(['check', file]), {
    code: 1,
    stdout: '',
    stderr:
      `cexbar: config ${file} is not valid:\n` +
      '✖ syntax error: expected a comma\n  → at line 3, column 3\n',
  });
});

test('check refuses a clock format that date-fns refuses, with its reason and nothing else', () => {
  const file = configFile('clock.jsonc', '{ "clock": { "format": "YYYY-MM-DD" } }');
  assert.deepEqual(cexbar(['check', file]), {
    code: 1,
    stdout: '',
    stderr:
      `cexbar: config ${file} is not valid:\n` +
      '✖ date-fns refuses the format "YYYY-MM-DD": Use `yyyy` instead of `YYYY` (in ' +
      '`YYYY-MM-DD`) for formatting years; see: ' +
      'https://github.com/date-fns/date-fns/blob/master/docs/unicodeTokens.md\n' +
      '  → at clock.format\n',
  });
});

test('the panel says why it cannot run outside a Sway session', () => {
  const result = cexbar(['run', '-c', join(dir, 'absent.jsonc')]);
  const uid = process.getuid?.() ?? 0;
  assert.deepEqual(result, {
    code: 2,
    stdout: '',
    stderr:
      `cexbar: no Sway runs here: SWAYSOCK is not set and ${dir} holds no ` +
      `sway-ipc.${uid}.PID.sock of a running Sway; run cexbar from inside a Sway session\n`,
  });
});

test('a SWAYSOCK left by a Sway that ended is no Sway either', () => {
  const stale = join(dir, 'sway-ipc.0.999999999.sock');
  writeFileSync(stale, '');
  const result = cexbar(['run', '-c', join(dir, 'absent.jsonc')], { SWAYSOCK: stale });
  rmSync(stale);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^cexbar: no Sway runs here: SWAYSOCK does not answer and /);
});

test('the panel process alone still needs SWAYSOCK', () => {
  const result = cexbar(['panel', '-c', join(dir, 'absent.jsonc')]);
  assert.deepEqual(result, {
    code: 2,
    stdout: '',
    stderr: 'cexbar: SWAYSOCK is not set: run cexbar from inside a Sway session\n',
  });
});

test('msg says plainly when no panel is running', () => {
  const socket = join(dir, 'cexbar', 'control.sock');
  assert.deepEqual(cexbar(['msg', 'state']), {
    code: 1,
    stdout: '',
    stderr: `cexbar: no cexbar is running here (nothing answers at ${socket})\n`,
  });
});

test('an unknown request or module is a usage error that points to the help', () => {
  assert.deepEqual(cexbar(['msg', 'reboot']), {
    code: 2,
    stdout: '',
    stderr: `cexbar: unknown request "reboot"; see 'cexbar msg --help'\n`,
  });
  assert.equal(
    cexbar(['msg', 'activate', 'clock', 'x']).stderr,
    'cexbar: unknown module "clock": activate takes workspaces, containers, windows or tray\n',
  );
});

test('a missing or empty argument to msg is named before anything is sent', () => {
  const usage = (args: string[]) => {
    const result = cexbar(['msg', ...args]);
    assert.equal(result.code, 2, result.stderr);
    return result.stderr;
  };
  assert.equal(
    usage([]),
    "cexbar: msg needs a request: 'state', 'activate MODULE ITEM', " +
      "'action containers NAME ACTION', 'menu containers NAME', 'menu tray ITEM', " +
      "'menu windows hidden', 'notification close ID' or 'notification invoke ID KEY'; see 'cexbar msg --help'\n",
  );
  assert.equal(
    usage(['activate']),
    'cexbar: msg activate needs a MODULE (workspaces, containers, windows or tray) and an ITEM; ' +
      `see 'cexbar msg --help'\n`,
  );
  assert.equal(
    usage(['activate', 'containers']),
    `cexbar: msg activate containers needs an ITEM (a container name); see 'cexbar msg --help'\n`,
  );
  assert.equal(
    usage(['activate', 'workspaces', '']),
    'cexbar: msg activate workspaces: the ITEM is empty (expected a workspace name)\n',
  );
  assert.equal(
    usage(['activate', 'workspaces', '1', 'x']),
    'cexbar: msg activate workspaces takes one ITEM, not 2: quote a name that holds spaces\n',
  );
  assert.equal(usage(['state', 'now']), 'cexbar: msg state takes nothing more (got "now")\n');
});

test('an unknown option or a missing value is a usage error in words of our own', () => {
  for (const args of [['--bogus'], ['msg', 'state', '--bogus'], ['run', '--bogus=1']]) {
    assert.deepEqual(cexbar(args), {
      code: 2,
      stdout: '',
      stderr: `cexbar: unknown option --bogus; see 'cexbar --help'\n`,
    });
  }
  assert.equal(cexbar(['-hx']).stderr, `cexbar: unknown option -x; see 'cexbar --help'\n`);
  for (const args of [['-c'], ['check', '-c', '--help']]) {
    assert.deepEqual(cexbar(args), {
      code: 2,
      stdout: '',
      stderr: `cexbar: option -c needs a FILE; see 'cexbar --help'\n`,
    });
  }
  assert.deepEqual(cexbar(['--help=yes']), {
    code: 2,
    stdout: '',
    stderr: 'cexbar: option --help takes no value (got "yes")\n',
  });
});

test('--help without a command prints the main help, not the help of run', () => {
  const result = cexbar(['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: cexbar \[COMMAND\] \[OPTIONS\]\n/);
  assert.match(cexbar(['run', '--help']).stdout, /^Usage: cexbar run /);
});

test('every command has a --help, in lines that fit 100 columns', () => {
  for (const command of [[], ['run'], ['panel'], ['msg'], ['check'], ['schema'], ['doctor']]) {
    const result = cexbar([...command, '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: cexbar/);
    for (const line of result.stdout.split('\n')) {
      assert.ok(line.length <= 100, `too wide in ${command.join(' ')} --help: ${line}`);
    }
  }
});

test('msg action and msg menu name what is wrong before anything is sent', () => {
  const usage = (args: string[]) => {
    const result = cexbar(['msg', ...args]);
    assert.equal(result.code, 2, result.stderr);
    return result.stderr;
  };
  const actions = 'start, stop, kill, freeze, unfreeze, restart, launch, terminal, details';
  assert.equal(
    usage(['action', 'containers', 'work']),
    `cexbar: msg action containers work needs one ACTION of ${actions} (got none)\n`,
  );
  assert.equal(
    usage(['action', 'containers', 'work', 'destroy']),
    `cexbar: msg action containers work needs one ACTION of ${actions} (got "destroy")\n`,
  );
  assert.equal(
    usage(['action', 'workspaces', '1', 'stop']),
    `cexbar: msg action takes 'action containers NAME ACTION'; see 'cexbar msg --help'\n`,
  );
  assert.equal(
    usage(['menu', 'containers', 'work', 'now']),
    "cexbar: msg menu takes 'menu containers NAME', nothing more\n",
  );
  assert.equal(
    usage(['menu', 'tray']),
    "cexbar: msg menu takes 'menu containers NAME', 'menu tray ITEM' or 'menu windows hidden'; " +
      "see 'cexbar msg --help'\n",
  );
  assert.equal(
    usage(['menu', 'windows', 'hidden', 'now']),
    "cexbar: msg menu takes 'menu windows hidden', nothing more\n",
  );
  assert.equal(
    usage(['menu', 'tray', 'nm-applet', 'now']),
    "cexbar: msg menu takes 'menu tray ITEM', nothing more\n",
  );
});

test('msg notification names what is wrong before anything is sent', () => {
  const usage = (args: string[]) => {
    const result = cexbar(['msg', 'notification', ...args]);
    assert.equal(result.code, 2, result.stderr);
    return result.stderr;
  };
  const takes =
    "cexbar: msg notification takes 'notification close ID' or 'notification invoke ID KEY', " +
    "ID a notification's number\n";
  assert.equal(usage(['dismiss', '3']), takes);
  assert.equal(usage(['close', 'three']), takes);
  assert.equal(usage(['close', '0']), takes);
  assert.equal(
    usage(['close', '3', '4']),
    'cexbar: msg notification close takes one ID, nothing more\n',
  );
  assert.equal(
    usage(['invoke', '3']),
    'cexbar: msg notification invoke 3 needs one KEY of its actions\n',
  );
});
