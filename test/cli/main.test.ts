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
    `cexbar: config ${file} is not valid:\n✖ unknown key "hieght"\n  → at (the top level)\n`,
  );
});

test('the panel says why it cannot run outside a Sway session', () => {
  const result = cexbar(['run', '-c', join(dir, 'absent.jsonc')]);
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
    'cexbar: unknown module "clock": activate takes workspaces or containers\n',
  );
});

test('every command has a --help', () => {
  for (const command of [[], ['run'], ['msg'], ['check']]) {
    const result = cexbar([...command, '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: cexbar/);
  }
});
