/*
 * Sway command strings built from untrusted names, read the way Sway 1.7 reads them
 * (common/stringop.c, sway/commands.c). Unquoted spaces separate arguments and several fold
 * into one, `;` and `,` separate commands, and `$name` is a config variable. Quotes group, and
 * adjacent quoted parts join as in a shell: `"a"'b'` is `ab`. A backslash is never removed: it
 * only keeps the quote right after it from ending the string. So `"a\"b"` names `a\"b`, and a
 * `"` can only be written inside single quotes, a `'` only inside double ones.
 */

type Quote = '"' | "'";

/**
 * Sway's workspace command takes these words as keywords wherever the name would be, quoted or
 * not (compared without case), so no workspace of such a name can be reached by name.
 */
const WORKSPACE_KEYWORDS = new Set([
  'number',
  'next',
  'prev',
  'next_on_output',
  'prev_on_output',
  'current',
  'back_and_forth',
  'output',
  'gaps',
  '--no-auto-back-and-forth',
]);

/**
 * `$` as Sway's variable expansion gives it back: `$$` is a literal `$`, except right after a
 * lone backslash, where Sway leaves `$` alone.
 */
function escapeDollars(text: string): string {
  return text.replace(/\$/g, (_dollar, offset: number) => {
    const escapedBySway = text[offset - 1] === '\\' && text[offset - 2] !== '\\';
    return escapedBySway ? '$' : '$$';
  });
}

/** The quote a piece must sit in: a `"` in single quotes, a `'` in double ones. */
function quoteFor(last: string | undefined): Quote | null {
  if (last === '"') return "'";
  if (last === "'") return '"';
  return null;
}

/**
 * `text` as the last argument of a Sway command, reaching Sway exactly as written. Each run of
 * backslashes stays with the character after it, so that a closing quote never follows a
 * backslash (which would keep it from closing); a name that ends in backslashes leaves its
 * last quote open, which Sway accepts at the end of a command.
 */
export function quoteLastArgument(text: string): string {
  const pieces = escapeDollars(text).match(/\\*[^\\]|\\+$/gu) ?? [];
  let quoted = '';
  let open: Quote | null = null;
  for (const piece of pieces) {
    const wanted: Quote = quoteFor(piece.at(-1)) ?? open ?? '"';
    if (wanted !== open) quoted += (open ?? '') + wanted;
    open = wanted;
    quoted += piece;
  }
  if (open === null) return '""';
  return text.endsWith('\\') ? quoted : quoted + open;
}

/**
 * Switches to the workspace of exactly this name, creating it when it does not exist. The flag
 * keeps `workspace_auto_back_and_forth` from turning a click on the current workspace into a
 * jump to the previous one.
 */
export function focusWorkspaceCommand(name: string): string {
  if (WORKSPACE_KEYWORDS.has(name.toLowerCase())) {
    throw new RangeError(
      `sway: a workspace named ${JSON.stringify(name)} cannot be switched to by name: ` +
        'Sway reads that name as a keyword of its workspace command',
    );
  }
  return `workspace --no-auto-back-and-forth ${quoteLastArgument(name)}`;
}

function checkConId(conId: number): number {
  if (!Number.isSafeInteger(conId) || conId < 0) {
    throw new RangeError(`sway: a con_id is a whole number of 0 or more, received ${conId}`);
  }
  return conId;
}

export function focusViewCommand(conId: number): string {
  return `[con_id=${checkConId(conId)}] focus`;
}

/**
 * Sets one view's title_format. Sway joins the arguments into the format and replaces
 * `%title`, `%app_id`... in it; `format` reaches it exactly as written.
 */
export function titleFormatCommand(conId: number, format: string): string {
  return `[con_id=${checkConId(conId)}] title_format ${quoteLastArgument(format)}`;
}
