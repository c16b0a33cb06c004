import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ConfigError,
  ConfigReadError,
  loadConfig,
  parseConfigText,
} from '../../src/config/load.js';
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

test('a syntax error names the file, the problem in words and its line and column', () => {
  assert.equal(
    problemsOf('{\n  "height": 30\n  "clock": {}\n}'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: expected a comma\n  → at line 3, column 3',
  );
});

test('only the first syntax error is reported, not what the parser met after it', () => {
  // The parser also reports the missing closing brace, past the end of the file.
  assert.equal(
    problemsOf('{\n  "height": 30\n  "clock": {}\n'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: expected a comma\n  → at line 3, column 3',
  );
  assert.equal(
    problemsOf('{ "height": 30, "clock": {}'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: expected a closing brace\n  → at line 1, column 28',
  );
  assert.equal(
    problemsOf('{ "height": }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: expected a value\n  → at line 1, column 13',
  );
  assert.equal(
    problemsOf("{ 'height': 30 }"),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ syntax error: unexpected word or symbol (keys and strings need double quotes)\n' +
      '  → at line 1, column 3',
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

test('a required key that is missing is named as missing, with its path', () => {
  assert.equal(
    problemsOf('{ "containers": { "list": { "work": { "session": { "type": "cage" } } } } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ the required key "command" is missing (expected an array)\n' +
      '  → at containers.list.work.session.command',
  );
});

test('a value outside its choices gets the choice it most likely means, and the choices', () => {
  assert.equal(
    problemsOf('{ "modules": ["workspace", "clock"] }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown value "workspace" (did you mean "workspaces"?): expected one of "workspaces", ' +
      '"mode", "windows", "window", "scratchpad", "containers", "tray", "clock"\n' +
      '  → at modules[0]',
  );
  assert.equal(
    problemsOf('{ "notifications": { "mode": "never" } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown value "never": expected one of "auto", "off"\n  → at notifications.mode',
  );
});

test('an unknown key is an error, not a setting silently ignored', () => {
  assert.equal(
    problemsOf('{ "clock": { "fromat": "HH:mm" } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown key "fromat" (did you mean "format"?)\n  → at clock',
  );
});

test('a misspelt key gets the known key of its own object it most likely means', () => {
  assert.equal(
    problemsOf('{ "clok": {}, "window": { "maxLenght": 40 } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown key "maxLenght" (did you mean "maxLength"?)\n  → at window\n' +
      '✖ unknown key "clok" (did you mean "clock"?)\n  → at the top level of the file',
  );
  assert.equal(
    problemsOf(
      '{ "containers": { "list": { "work": { "session": { "type": "weston", "widht": 800 } } } } }',
    ),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown key "widht" (did you mean "width"?)\n  → at containers.list.work.session',
  );
});

test('an unknown key like no known one gets no guess', () => {
  assert.equal(
    problemsOf('{ "theme": "dark" }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ unknown key "theme"\n  → at the top level of the file',
  );
});

test('a container name that could become an option is refused, saying why', () => {
  assert.equal(
    problemsOf('{ "containers": { "list": { "-rf": {} } } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ invalid container name "-rf": a name starts with a letter or digit and holds only ' +
      'letters, digits, "_", "." and "-" (at most 64), never ".."\n' +
      '  → at containers.list["-rf"]',
  );
});

test('keys that are not plain identifiers are quoted in paths, others are not', () => {
  assert.match(
    problemsOf('{ "containers": { "list": { "e2e-work": { "session": { "type": "x" } } } } }'),
    /\n {2}→ at containers\.list\["e2e-work"\]\.session\.type$/,
  );
});

test('a clock format that date-fns refuses is refused in the config, with its reason', () => {
  assert.equal(
    problemsOf('{ "clock": { "format": "HH:mm jj" } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ date-fns refuses the format "HH:mm jj": ' +
      'Format string contains an unescaped latin alphabet character `j`\n' +
      '  → at clock.format',
  );
});

test('a clock format date-fns only warns about is refused too, and nothing is printed', (t) => {
  // The clock formats on every tick: a warning would be printed at every one of them.
  const warn = t.mock.method(console, 'warn');
  assert.equal(
    problemsOf('{ "clock": { "format": "Y-MM-dd" } }'),
    'config /home/u/.config/cexbar/config.jsonc is not valid:\n' +
      '✖ date-fns refuses the format "Y-MM-dd": Use `y` instead of `Y` (in `Y-MM-dd`) for ' +
      'formatting years; see: https://github.com/date-fns/date-fns/blob/master/docs/unicodeTokens.md\n' +
      '  → at clock.format',
  );
  assert.equal(warn.mock.callCount(), 0);
  assert.equal(
    parseConfigText('{ "clock": { "format": "yyyy-MM-dd HH:mm:ss" } }', 'c').clock.format,
    'yyyy-MM-dd HH:mm:ss',
  );
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

test('a config that cannot be read is an error that says why, with the cause kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cexbar-test-'));
  try {
    await assert.rejects(loadConfig(dir), (error: unknown) => {
      assert.ok(error instanceof ConfigReadError);
      assert.equal(error.message, `config ${dir} cannot be read (it is a folder)`);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'EISDIR');
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
