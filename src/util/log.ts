/**
 * One line per event on stderr, "cexbar: context: what (detail)", for runit's svlogd.
 * The level comes from CEXBAR_LOG (error, warn, info, debug); info by default.
 * Never log the content of a clipboard or anything a container sent beyond its name.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVEL_ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function readLevel(): LogLevel {
  const wanted = process.env.CEXBAR_LOG;
  return wanted !== undefined && wanted in LEVEL_ORDER ? (wanted as LogLevel) : 'info';
}

let threshold = LEVEL_ORDER[readLevel()];

/** Re-reads CEXBAR_LOG; tests change it at run time. */
export function refreshLogLevel(): void {
  threshold = LEVEL_ORDER[readLevel()];
}

function write(level: LogLevel, context: string, message: string): void {
  if (LEVEL_ORDER[level] > threshold) return;
  // Untrusted text (titles, names) may hold newlines; one event stays one line.
  const line = `${context}: ${message}`.replace(/[\r\n]+/g, ' ');
  const prefix = level === 'info' ? '' : `${level}: `;
  process.stderr.write(`cexbar: ${prefix}${line}\n`);
}

export const log = {
  error: (context: string, message: string) => {
    write('error', context, message);
  },
  warn: (context: string, message: string) => {
    write('warn', context, message);
  },
  info: (context: string, message: string) => {
    write('info', context, message);
  },
  debug: (context: string, message: string) => {
    write('debug', context, message);
  },
};

/** The message of anything thrown, for a log line. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
