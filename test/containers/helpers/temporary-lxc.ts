import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * Real busybox containers in an LXC path of the test's own, never /var/lib/lxc. There is no
 * lxcbr0 here, so a container gets no network unless its config lines say otherwise.
 */

const run = promisify(execFile);

export const NO_NETWORK = ['lxc.net.0.type = empty'];

export interface TemporaryLxc {
  path: string;
  /** Creates a busybox container whose config holds `configLines` (no network by default). */
  create(name: string, configLines?: string[]): Promise<void>;
  /** Runs an lxc-* program on this path, as the test (not through cexbar's runner). */
  lxc(program: string, ...args: string[]): Promise<string>;
  /** Destroys every container and the path; safe to call after a failure, and twice. */
  destroy(): Promise<void>;
}

export function createTemporaryLxc(): TemporaryLxc {
  const path = mkdtempSync(join(tmpdir(), 'cexbar-lxc-'));
  const names: string[] = [];
  const lxc = async (program: string, ...args: string[]): Promise<string> =>
    (await run(program, ['-P', path, ...args], { encoding: 'utf8' })).stdout;
  return {
    path,
    lxc,
    create: async (name, configLines = NO_NETWORK) => {
      const config = join(path, `.${name}.conf`);
      writeFileSync(config, configLines.join('\n') + '\n');
      names.push(name);
      await lxc('lxc-create', '-n', name, '-t', 'busybox', '-f', config);
    },
    destroy: async () => {
      for (const name of names.splice(0)) {
        await lxc('lxc-destroy', '-f', '-n', name).catch(() => undefined);
      }
      // lxc-destroy of a running container may itself start the daemon, a moment later.
      stopMonitorDaemon(path);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stopMonitorDaemon(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * lxc-monitor starts one lxc-monitord per LXC path, which outlives it. The one for our own
 * temporary path was started by this test: end it by its PID, nothing else.
 */
function stopMonitorDaemon(lxcPath: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv[0]?.endsWith('/lxc-monitord') === true && argv[1] === lxcPath) {
      process.kill(Number(entry), 'SIGTERM');
    }
  }
}
