import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parse,
  ParseErrorCode,
  printParseErrorCode,
  stripComments,
  type ParseError,
} from 'jsonc-parser';
import { z } from 'zod';
import { describeError } from '../util/log.js';
import { closestWord } from './did-you-mean.js';
import { configSchema, defaultConfig, type Config } from './schema.js';

/*
 * Reads the config file. A file that cannot be read, parsed or validated is an error that names
 * the file, the place inside it and what was expected; the caller keeps its last good config (or
 * refuses to start), so the panel never runs on a half-read config.
 */

/** A config file that is not usable, with a message meant for the user as it stands. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`config ${file} is not valid:\n${problems.join('\n')}`, options);
    this.name = 'ConfigError';
  }
}

/** Why a file could not be read, in words, for the errors a user is likely to meet. */
const READ_ERROR_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
  ELOOP: 'too many symbolic links',
};

function describeReadError(file: string, code: string | undefined, cause: unknown): string {
  if (code === 'ENOENT') return `config ${file} does not exist`;
  const reason =
    (code === undefined ? undefined : READ_ERROR_REASONS[code]) ?? describeError(cause);
  return `config ${file} cannot be read (${reason})`;
}

/** A config file that does not exist or cannot be read; the original error is its `cause`. */
export class ConfigReadError extends Error {
  /** The system's error code, as ENOENT. */
  readonly code: string | undefined;

  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    super(describeReadError(file, code, cause), { cause });
    this.name = 'ConfigReadError';
    this.code = code;
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or null when none exists and the defaults apply. */
  file: string | null;
}

/** `$XDG_CONFIG_HOME/cexbar/config.jsonc`, with XDG's fallback to ~/.config. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ?? join(env.HOME ?? '/', '.config');
  return join(base, 'cexbar', 'config.jsonc');
}

/** Line and column (both from 1) of an offset in the text. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

/** jsonc-parser's error codes in words: every code of today, and none for one added later. */
const SYNTAX_ERROR_WORDS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'unexpected word or symbol (keys and strings need double quotes)',
  [ParseErrorCode.InvalidNumberFormat]: 'a malformed number',
  [ParseErrorCode.PropertyNameExpected]: 'expected a key in double quotes',
  [ParseErrorCode.ValueExpected]: 'expected a value',
  [ParseErrorCode.ColonExpected]: 'expected a colon after the key',
  [ParseErrorCode.CommaExpected]: 'expected a comma',
  [ParseErrorCode.CloseBraceExpected]: 'expected a closing brace',
  [ParseErrorCode.CloseBracketExpected]: 'expected a closing bracket',
  [ParseErrorCode.EndOfFileExpected]: 'expected the end of the file after the value',
  [ParseErrorCode.InvalidCommentToken]: 'a malformed comment',
  [ParseErrorCode.UnexpectedEndOfComment]: 'a comment that is never closed (no */)',
  [ParseErrorCode.UnexpectedEndOfString]: 'a string that is never closed (no closing ")',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'a number that ends too early',
  [ParseErrorCode.InvalidUnicode]: 'a malformed \\u escape in a string',
  [ParseErrorCode.InvalidEscapeCharacter]: 'an unknown \\ escape in a string',
  [ParseErrorCode.InvalidCharacter]: 'a control character in a string (write it as an escape)',
} satisfies Record<ParseErrorCode, string>;

/**
 * The first syntax error only: the parser goes on after it, and what it reports next is
 * mostly the same mistake seen again, often at the end of the file.
 */
function describeSyntaxError(text: string, error: ParseError): string {
  const { line, column } = positionOf(text, error.offset);
  const words = SYNTAX_ERROR_WORDS[error.error] ?? printParseErrorCode(error.error);
  return `✖ syntax error: ${words}\n  → at line ${line}, column ${column}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * "containers.list.work.session" from zod's path: indexes as [2], and keys that are not plain
 * identifiers quoted, as ["-rf"], so that a dot or a space in a key cannot be misread.
 */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the top level of the file';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!IDENTIFIER.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

/**
 * Messages for the issues zod words for programmers: a key that is not there ("received
 * undefined") and a value outside an enum (with a guess at the value meant). Other issues keep
 * zod's words, or the schema's own.
 */
const describeIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    const key = issue.path?.at(-1);
    const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
    const what = typeof key === 'string' ? ` ${JSON.stringify(key)}` : '';
    return `the required key${what} is missing (expected ${article} ${issue.expected})`;
  }
  if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
    const known = issue.values.filter((value): value is string => typeof value === 'string');
    const meant = closestWord(issue.input, known);
    const hint = meant === null ? '' : ` (did you mean ${JSON.stringify(meant)}?)`;
    const choices = known.map((value) => JSON.stringify(value)).join(', ');
    return `unknown value ${JSON.stringify(issue.input)}${hint}: expected one of ${choices}`;
  }
  return undefined;
};

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `✖ ${issue.message}\n  → at ${formatPath(issue.path)}`);
}

/** Parses and validates config text; throws ConfigError naming `file` when it is not valid. */
export function parseConfigText(text: string, file: string): Config {
  // An empty file, or one holding only comments, means "all defaults".
  if (stripComments(text).trim() === '') return defaultConfig();
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [firstError] = errors;
  if (firstError !== undefined)
    throw new ConfigError(file, [describeSyntaxError(text, firstError)]);
  const result = configSchema.safeParse(raw, { error: describeIssue });
  if (!result.success)
    throw new ConfigError(file, describeIssues(result.error), { cause: result.error });
  return result.data;
}

/** The text of the config at `file`; throws ConfigReadError when it is missing or unreadable. */
export async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigReadError(file, error);
  }
}

/** Reads the config at `file`; a missing file gives the defaults, any other problem throws. */
export async function loadConfig(file: string = defaultConfigPath()): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readConfigText(file);
  } catch (error) {
    if (error instanceof ConfigReadError && error.code === 'ENOENT')
      return { config: defaultConfig(), file: null };
    throw error;
  }
  return { config: parseConfigText(text, file), file };
}
