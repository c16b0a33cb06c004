import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseConfigText } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';

function problemsOf(text: string): string {
  try {
    parseConfigText(text, '/home/u/.config/cexbar/config.jsonc');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('the config was accepted');
}

test('a config with comments and trailing commas is read', () => {
  const config = parseConfigText(
    `// the bar
    { "height": 30, /* taller */ "clock": { "format": "HH:mm", }, }`,
    'config.jsonc',
  );
  assert.equal(config.height, 30);
  assert.equal(config.clock.format, 'HH:mm');
  assert.deepEqual(config.modules, defaultConfig().modules);
});

test('an empty file means the defaults', () => {
  assert.deepEqual(parseConfigText('// nothing yet\n', 'config.jsonc'), defaultConfig());
});

test('a syntax error names the file, the problem and its line and column', () => {
  assert.equal(
    problemsOf('{\n  "height": 30\n  "clock": {}\n}'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: CommaExpected\n  → at line 3, column 3',
  );
});

test('a value of the wrong type names its path and what was expected', () => {
  assert.equal(
    problemsOf(
      '{ "containers": { "list": { "work": { "session": { "type": "weston", "width": "wide" } } } } }',
    ),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ Invalid input: expected number, received string\n' +
      '  → at containers.list.work.session.width',
  );
});

test('an unknown key is an error, not a setting silently ignored', () => {
  assert.equal(
    problemsOf('{ "clock": { "fromat": "HH:mm" } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown key "fromat"\n  → at clock',
  );
});

test('a container name that could become an option is refused in the config', () => {
  assert.match(problemsOf('{ "containers": { "list": { "-h": {} } } }'), /→ at containers\.list/);
});

test('a missing config file gives the defaults and no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cexbar-test-'));
  try {
    assert.deepEqual(await loadConfig(join(dir, 'absent.jsonc')), {
      config: defaultConfig(),
      file: null,
    });
    writeFileSync(join(dir, 'config.jsonc'), '{ "height": 40 }');
    const loaded = await loadConfig(join(dir, 'config.jsonc'));
    assert.equal(loaded.config.height, 40);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
