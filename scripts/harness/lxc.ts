import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * Real busybox LXC containers for tests and the demo, always under an LXC path of their own
 * (lxc-* -P DIR): a user's /var/lib/lxc is never touched. Runs as root, like the test suite.
 * There is no lxcbr0 here, so a container gets no network unless its config lines say otherwise.
 * Every sandbox is a folder in TEST_LXC_PARENT, which scripts/install-helper.sh --allow-test-lxc
 * lists in /etc/cexbar/lxc-paths: cexbar's LXC helper accepts these paths and no other folder.
 */

/** Root-owned, on a tmpfs (the sandboxes' names never reach the disk), allowlisted as `DIR/*`. */
export const TEST_LXC_PARENT = '/run/cexbar-test-lxc';

const run = promisify(execFile);

/** An empty network: the container starts without any bridge. */
export const NO_NETWORK = ['lxc.net.0.type = empty'];

/**
 * Makes the container's init ignore lxc-stop's halt signal, so that a graceful stop times out:
 * busybox's init does not handle SIGURG. The busybox template writes its own lxc.signal.halt
 * (SIGUSR1) after the lines given to lxc-create, so this goes after creation (the last wins).
 */
export const IGNORES_HALT = ['lxc.signal.halt = SIGURG'];

/** A veth on a bridge that does not exist: lxc-start fails, as on a host whose br0 is down. */
export const MISSING_BRIDGE = ['lxc.net.0.type = veth', 'lxc.net.0.link = cexbar-no-such-bridge'];

export interface LxcSandbox {
  /** The LXC path, for the panel's config and for `lxc-* -P`. */
  path: string;
  /** Creates a busybox container whose config holds `configLines` (no network by default). */
  create(name: string, configLines?: string[]): Promise<void>;
  /** Appends lines to a container's config, after what its template wrote. */
  appendConfig(name: string, lines: string[]): void;
  /** Runs an lxc-* program on this path, as the test (not through cexbar's runner). */
  lxc(program: string, ...args: string[]): Promise<string>;
  /** Starts a container and waits until it runs. */
  start(name: string): Promise<void>;
  /** lxc-info's bare state, such as RUNNING. */
  state(name: string): Promise<string>;
  /** Destroys every container and the path; safe to call after a failure, and twice. */
  destroy(): Promise<void>;
}

export function createLxcSandbox(prefix = 'cexbar-lxc-'): LxcSandbox {
  const path = mkdtempSync(join(testLxcParent(), prefix));
  chmodSync(path, 0o755);
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
      rmSync(config);
    },
    appendConfig: (name, lines) => {
      appendFileSync(join(path, name, 'config'), lines.join('\n') + '\n');
    },
    start: async (name) => {
      await lxc('lxc-start', '-n', name);
      await lxc('lxc-wait', '-n', name, '-s', 'RUNNING', '-t', '10');
    },
    state: async (name) => (await lxc('lxc-info', '-n', name, '-sH')).trim(),
    destroy: async () => {
      for (const name of names.splice(0)) {
        await lxc('lxc-stop', '-k', '-n', name).catch(() => undefined);
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

/** The sandboxes' parent, made as root's own; refuses one that someone else made first. */
function testLxcParent(): string {
  mkdirSync(TEST_LXC_PARENT, { recursive: true, mode: 0o755 });
  const stats = lstatSync(TEST_LXC_PARENT);
  if (!stats.isDirectory() || stats.uid !== 0 || (stats.mode & 0o022) !== 0) {
    throw new Error(`lxc sandbox: ${TEST_LXC_PARENT} must be a folder of root's, mode 0755`);
  }
  return TEST_LXC_PARENT;
}

/**
 * lxc-monitor starts one lxc-monitord per LXC path, running as root, which outlives it. The one
 * for our own path was started by us: end it by its PID, nothing else.
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
