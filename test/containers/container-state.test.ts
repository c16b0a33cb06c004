import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  availableActions,
  containerActions,
  type ContainerState,
} from '../../src/containers/container-state.js';
import { sessionSchema } from '../../src/config/schema.js';

/*
 * The one rule of which actions a container's state allows, which the menu, `cexbar msg
 * action` and the container service all follow. Pure data in, no LXC.
 */

function containerIn(state: string, session: unknown, hasTerminal = false): ContainerState {
  return {
    name: 'demo-bank',
    state,
    configured: true,
    ipv4: [],
    session: sessionSchema.parse(session),
    task: null,
    error: null,
    running: null,
    hasTerminal,
  };
}

describe('availableActions', () => {
  test('a container without a session has no launch, in any state', () => {
    for (const state of ['STOPPED', 'RUNNING', 'FROZEN']) {
      const container = containerIn(state, { type: 'none' });
      assert.ok(!containerActions(container).includes('launch'), state);
      assert.ok(!availableActions(container).includes('launch'), state);
    }
    assert.deepEqual(availableActions(containerIn('STOPPED', { type: 'none' })), [
      'start',
      'details',
    ]);
  });

  test('a container with a session may launch it when stopped or running, not frozen', () => {
    const weston = { type: 'weston', width: 640, height: 400 };
    assert.deepEqual(availableActions(containerIn('STOPPED', weston)), [
      'start',
      'launch',
      'details',
    ]);
    assert.ok(availableActions(containerIn('RUNNING', weston)).includes('launch'));
    assert.deepEqual(availableActions(containerIn('FROZEN', weston)), [
      'kill',
      'unfreeze',
      'details',
    ]);
  });

  test('the menu lists terminal only with a configured command', () => {
    assert.ok(!containerActions(containerIn('RUNNING', { type: 'none' })).includes('terminal'));
    assert.ok(
      containerActions(containerIn('RUNNING', { type: 'none' }, true)).includes('terminal'),
    );
  });
});
