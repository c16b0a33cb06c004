import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, printParseErrorCode, stripComments, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
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

function describeSyntaxErrors(text: string, errors: ParseError[]): string[] {
  return errors.map((error) => {
    const { line, column } = positionOf(text, error.offset);
    return `✖ syntax error: ${printParseErrorCode(error.error)}\n  → at line ${line}, column ${column}`;
  });
}

/** "containers.list.work.session" from zod's path, with indexes as [2]. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the top level)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      return index === 0 ? String(key) : `.${String(key)}`;
    })
    .join('');
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `unknown key ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    return `✖ ${message}\n  → at ${formatPath(issue.path)}`;
  });
}

/** Parses and validates config text; throws ConfigError naming `file` when it is not valid. */
export function parseConfigText(text: string, file: string): Config {
  // An empty file, or one holding only comments, means "all defaults".
  if (stripComments(text).trim() === '') return defaultConfig();
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) throw new ConfigError(file, describeSyntaxErrors(text, errors));
  const result = configSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(file, describeIssues(result.error), { cause: result.error });
  return result.data;
}

/** Reads the config at `file`; a missing file gives the defaults, any other problem throws. */
export async function loadConfig(file: string = defaultConfigPath()): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { config: defaultConfig(), file: null };
    throw new ConfigError(file, [`✖ cannot read the file: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return { config: parseConfigText(text, file), file };
}
