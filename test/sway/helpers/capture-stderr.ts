/** The lines written to stderr (where log.* writes) until stop() is called. */
export function captureStderr(): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  // Only the chunk matters here: log.* writes strings and passes no encoding or callback.
  process.stderr.write = (chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    lines.push(...text.split('\n').filter((line) => line !== ''));
    return true;
  };
  return {
    lines,
    stop: () => {
      process.stderr.write = original;
    },
  };
}
