import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findOnPath, formatCheck, isAcceptable, type CheckResult } from '../../src/cli/doctor.js';

/*
 * `cexbar doctor` on this machine, with a PATH and an environment that lack a part: the real
 * checks run, and the line of the missing part names it and says how to get it.
 */

const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'cexbar-doctor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function doctor(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [MAIN, 'doctor'], {
    encoding: 'utf8',
    env: { XDG_RUNTIME_DIR: dir, ...env },
    timeout: 20_000,
  });
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return { code: result.status, lines, stderr: result.stderr };
}

function lineOf(lines: string[], name: string): string {
  const line = lines.find((candidate) => candidate.slice(2).startsWith(`${name}:`));
  assert.ok(line, `no line for ${name} in:\n${lines.join('\n')}`);
  return line;
}

/** A PATH folder holding only the named programs, linked from the machine's own. */
function pathWith(name: string, programs: string[]): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const program of programs) {
    const real = findOnPath(program, process.env);
    assert.ok(real, `${program} is not installed on this machine`);
    symlinkSync(real, join(folder, program));
  }
  return folder;
}

test('a machine without wl-clipboard and a session bus is told what to install', () => {
  // It fails for the session bus (and Sway); wl-clipboard and PipeWire are only warnings.
  const result = doctor({ PATH: pathWith('bare', ['lxc-ls']) });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '');
  assert.equal(result.lines.length, 10);
  assert.equal(
    lineOf(result.lines, 'acl'),
    '⚠ acl: setfacl not on PATH: sessions of idmapped containers cannot start: apt-get install acl',
  );
  assert.equal(
    lineOf(result.lines, 'wl-clipboard'),
    '⚠ wl-clipboard: wl-copy and wl-paste not on PATH: apt-get install wl-clipboard',
  );
  assert.equal(
    lineOf(result.lines, 'PipeWire'),
    '⚠ PipeWire: neither pw-dump nor wpctl is on PATH: apt-get install pipewire-bin',
  );
  assert.equal(
    lineOf(result.lines, 'session bus'),
    '✖ session bus: DBUS_SESSION_BUS_ADDRESS is not set: start Sway with dbus-run-session ' +
      '(or dbus-launch)',
  );
  assert.equal(
    lineOf(result.lines, 'notifications'),
    '✖ notifications: no session bus to ask (see above)',
  );
  assert.equal(
    lineOf(result.lines, 'Sway'),
    '✖ Sway: SWAYSOCK is not set: run this inside the Sway session',
  );
  assert.equal(lineOf(result.lines, 'LXC'), `✔ LXC: ${join(dir, 'bare', 'lxc-ls')}`);
});

test('a SWAYSOCK where nothing answers is named with the reason', () => {
  const socket = join(dir, 'gone.sock');
  const line = lineOf(doctor({ PATH: '', SWAYSOCK: socket }).lines, 'Sway');
  assert.equal(
    line,
    `✖ Sway: nothing answers at SWAYSOCK ${socket} (connect ENOENT ${socket}): is Sway ` +
      'running, and SWAYSOCK from this session?',
  );
});

test('wl-clipboard on PATH passes; on a bus without a notification service the panel serves', async () => {
  const daemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_RUNTIME_DIR: dir },
  });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      daemon.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk.trim()));
      daemon.once('error', reject);
    });
    const result = doctor({
      PATH: pathWith('clipboard', ['wl-copy', 'wl-paste', 'setfacl']),
      DBUS_SESSION_BUS_ADDRESS: address,
    });
    assert.equal(
      lineOf(result.lines, 'wl-clipboard'),
      '✔ wl-clipboard: wl-copy and wl-paste are on PATH',
    );
    assert.equal(lineOf(result.lines, 'acl'), `✔ acl: ${join(dir, 'clipboard', 'setfacl')}`);
    assert.match(lineOf(result.lines, 'PipeWire'), /^⚠ PipeWire: /);
    assert.match(lineOf(result.lines, 'session bus'), /^✔ session bus: \//);
    assert.equal(
      lineOf(result.lines, 'notifications'),
      '✔ notifications: nothing owns org.freedesktop.Notifications now: the panel serves it ' +
        'itself while it runs (notifications.mode "auto")',
    );
    // With the panel's own server off, the free name is a problem.
    mkdirSync(join(dir, 'config', 'cexbar'), { recursive: true });
    writeFileSync(
      join(dir, 'config', 'cexbar', 'config.jsonc'),
      '{ "notifications": { "mode": "off" } }',
    );
    const off = doctor({ DBUS_SESSION_BUS_ADDRESS: address, XDG_CONFIG_HOME: join(dir, 'config') });
    assert.equal(
      lineOf(off.lines, 'notifications'),
      '✖ notifications: nothing owns org.freedesktop.Notifications on the session bus: run a ' +
        'notification daemon (mako, dunst), or set notifications.mode to "auto" for the panel ' +
        'to serve it',
    );
  } finally {
    daemon.kill();
  }
});

test('missing optional parts alone do not fail doctor', () => {
  // Only the parts the panel needs fail: with them all found, the warnings leave exit status 0.
  const results: CheckResult[] = [
    { ok: true, name: 'Sway', detail: 'answers' },
    { ok: false, optional: true, name: 'PipeWire', detail: 'missing' },
  ];
  assert.deepEqual(results.map(formatCheck), ['✔ Sway: answers', '⚠ PipeWire: missing']);
  assert.equal(results.every(isAcceptable), true);
  const needed: CheckResult = { ok: false, name: 'LXC', detail: 'missing' };
  assert.equal(formatCheck(needed), '✖ LXC: missing');
  assert.equal(isAcceptable(needed), false);
});

test('doctor has a --help and takes no arguments', () => {
  const help = spawnSync(process.execPath, [MAIN, 'doctor', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: cexbar doctor\n/);
  const extra = spawnSync(process.execPath, [MAIN, 'doctor', 'now'], { encoding: 'utf8' });
  assert.deepEqual([extra.status, extra.stderr], [2, 'cexbar: doctor takes no arguments\n']);
  const schema = spawnSync(process.execPath, [MAIN, 'schema', '--help'], { encoding: 'utf8' });
  assert.equal(schema.status, 0);
  assert.match(schema.stdout, /^Usage: cexbar schema\n/);
});
