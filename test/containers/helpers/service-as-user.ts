import { join } from 'node:path';
import { ContainerService } from '../../../src/containers/container-service.js';
import type { ContainersState } from '../../../src/containers/container-state.js';
import { configSchema } from '../../../src/config/schema.js';
import { FakeWindows } from './fake-windows.js';

/*
 * Runs a container service as the panel does, so that a test can run it as the desktop user
 * (its LXC calls through sudo -n) and read its state: one JSON line per state it publishes,
 * `{"listed":true,"containers":["c1 STOPPED",...]}`. Ends when its standard input closes.
 * Usage: node service-as-user.js LXC_PATH RUNTIME_DIR
 */
const [lxcPath = '', runtimeDir = ''] = process.argv.slice(2);

const service = new ContainerService({
  lxcPath,
  containers: configSchema.parse({ containers: { lxcPath } }).containers,
  runtimeDir,
  hostWaylandDisplay: join(runtimeDir, 'wayland-1'),
  windows: new FakeWindows(),
});

function print(state: ContainersState): void {
  const containers = state.containers.map((container) => `${container.name} ${container.state}`);
  process.stdout.write(`${JSON.stringify({ listed: state.listed, containers })}\n`);
}

service.subscribe(print);
process.stdin.on('data', () => undefined);
process.stdin.on('close', () => {
  service.close();
  process.exit(0);
});
void service.start();
