import assert from 'node:assert/strict';
import type {
  ContainerState,
  ContainersState,
  SessionState,
} from '../../../src/containers/container-state.js';

/** The container of that name in the state; fails the test when there is none. */
export function containerNamed(state: ContainersState, name: string): ContainerState {
  const found = state.containers.find((container) => container.name === name);
  assert.ok(found !== undefined, `no container ${name} in ${JSON.stringify(state.containers)}`);
  return found;
}

/** The session of the container of that name; fails the test when it has none. */
export function sessionOf(state: ContainersState, name: string): SessionState {
  const session = containerNamed(state, name).running;
  assert.ok(session !== null, `container ${name} has no session`);
  return session;
}
