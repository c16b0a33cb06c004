import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  focusViewCommand,
  focusWorkspaceCommand,
  quoteLastArgument,
  titleFormatCommand,
} from '../../src/sway/commands.js';

describe('quoteLastArgument', () => {
  it('keeps spaces, ; and , inside double quotes', () => {
    assert.equal(quoteLastArgument('1  x'), '"1  x"');
    assert.equal(quoteLastArgument('a; kill, exit'), '"a; kill, exit"');
    assert.equal(quoteLastArgument(''), '""');
  });

  it('puts a " inside single quotes and a \' inside double ones', () => {
    assert.equal(quoteLastArgument('a"b'), '"a"\'"b\'');
    assert.equal(quoteLastArgument('"'), "'\"'");
    assert.equal(quoteLastArgument("it's"), '"it\'s"');
    assert.equal(quoteLastArgument(`"'`), `'"'"'"`);
  });

  it('never puts a closing quote right after a backslash', () => {
    assert.equal(quoteLastArgument('a\\"b'), '"a"\'\\"b\'');
    assert.equal(quoteLastArgument('a\\b'), '"a\\b"');
    // A name that ends in a backslash leaves the quote open: Sway takes it to the end.
    assert.equal(quoteLastArgument('a\\'), '"a\\');
    assert.equal(quoteLastArgument('\\\\'), '"\\\\');
  });

  it('writes $ as $$ unless a lone backslash already keeps Sway from expanding it', () => {
    assert.equal(quoteLastArgument('$ws'), '"$$ws"');
    assert.equal(quoteLastArgument('a$$b'), '"a$$$$b"');
    assert.equal(quoteLastArgument('\\$ws'), '"\\$ws"');
    assert.equal(quoteLastArgument('\\\\$ws'), '"\\\\$$ws"');
  });
});

describe('focusWorkspaceCommand', () => {
  it('switches by the quoted name without auto back-and-forth', () => {
    assert.equal(focusWorkspaceCommand('2: web'), 'workspace --no-auto-back-and-forth "2: web"');
  });

  it('refuses names that Sway would read as keywords, saying so', () => {
    assert.throws(() => focusWorkspaceCommand('Next'), {
      name: 'RangeError',
      message:
        'sway: a workspace named "Next" cannot be switched to by name: Sway reads that name ' +
        'as a keyword of its workspace command',
    });
    for (const name of ['number', 'output', 'GAPS', 'current', '--no-auto-back-and-forth']) {
      assert.throws(() => focusWorkspaceCommand(name), RangeError, name);
    }
  });
});

describe('focusViewCommand', () => {
  it('focuses a view by con_id and refuses an id that is not a whole number', () => {
    assert.equal(focusViewCommand(42), '[con_id=42] focus');
    assert.throws(() => focusViewCommand(1.5), {
      name: 'RangeError',
      message: 'sway: a con_id is a whole number of 0 or more, received 1.5',
    });
    assert.throws(() => focusViewCommand(-1), RangeError);
    assert.throws(() => focusViewCommand(Number.NaN), RangeError);
  });
});

describe('titleFormatCommand', () => {
  it("sets one view's format, its single-quoted markup inside one double-quoted string", () => {
    assert.equal(
      titleFormatCommand(7, "<span background='#d64545'> work </span> %title"),
      `[con_id=7] title_format "<span background='#d64545'> work </span> %title"`,
    );
    assert.equal(titleFormatCommand(7, '[a$b] %title'), '[con_id=7] title_format "[a$$b] %title"');
    assert.throws(() => titleFormatCommand(-1, '%title'), RangeError);
  });
});
