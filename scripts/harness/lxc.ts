import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * Real busybox LXC containers for tests and the demo, always under an LXC path of their own
 * (lxc-* -P DIR): a user's /var/lib/lxc is never touched. Runs as root, like the test suite.
 */

const run = promisify(execFile);

export interface ContainerOptions {
  /**
   * The network: 'none' (an empty network, which starts without any bridge), or a bridge that
   * does not exist, for a container whose lxc-start fails.
   */
  network?: 'none' | 'missing-bridge';
}

export interface LxcSandbox {
  /** The LXC path, for the panel's config and for `lxc-* -P`. */
  path: string;
  create(name: string, options?: ContainerOptions): Promise<void>;
  start(name: string): Promise<void>;
  /** lxc-info's bare state, such as RUNNING. */
  state(name: string): Promise<string>;
  /** Kills and destroys every container created here, then removes the path. */
  destroy(): Promise<void>;
}

function networkLines(network: ContainerOptions['network']): string[] {
  if (network === 'missing-bridge') {
    return ['lxc.net.0.type = veth', 'lxc.net.0.link = cexbar-no-such-bridge'];
  }
  return ['lxc.net.0.type = empty'];
}

export function createLxcSandbox(prefix = 'cexbar-lxc-'): LxcSandbox {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o755);
  const created = new Set<string>();
  return {
    path,
    create: async (name, options = {}) => {
      const configFile = join(path, `${name}.create.conf`);
      writeFileSync(configFile, networkLines(options.network ?? 'none').join('\n') + '\n');
      await run('lxc-create', ['-P', path, '-n', name, '-t', 'busybox', '-f', configFile]);
      rmSync(configFile);
      created.add(name);
    },
    start: async (name) => {
      await run('lxc-start', ['-P', path, '-n', name]);
      await run('lxc-wait', ['-P', path, '-n', name, '-s', 'RUNNING', '-t', '10']);
    },
    state: async (name) => (await run('lxc-info', ['-P', path, '-n', name, '-sH'])).stdout.trim(),
    destroy: async () => {
      for (const name of created) {
        await run('lxc-stop', ['-P', path, '-n', name, '-k']).catch(() => undefined);
        await run('lxc-destroy', ['-P', path, '-n', name, '-f']).catch(() => undefined);
      }
      created.clear();
      rmSync(path, { recursive: true, force: true });
    },
  };
}
