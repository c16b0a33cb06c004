import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescedTask } from '../../src/sway/coalesced-task.js';

/** A task whose runs end only when the test says so. */
function controlledTask() {
  const finishers: (() => void)[] = [];
  let runs = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      runs += 1;
      finishers.push(resolve);
    });
  const finishRun = async () => {
    finishers.shift()?.();
    // Let the task's loop see the end of the run and start the next one.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { task, finishRun, runs: () => runs };
}

const failOnError = (error: unknown) => {
  assert.fail(`unexpected task error: ${String(error)}`);
};

describe('CoalescedTask', () => {
  it('runs once for the requests of one turn of the event loop', async () => {
    const { task, finishRun, runs } = controlledTask();
    const coalesced = new CoalescedTask(task, failOnError);
    const done = [coalesced.request(), coalesced.request(), coalesced.request()];
    await new Promise((resolve) => setImmediate(resolve));
    await finishRun();
    await Promise.all(done);
    assert.equal(runs(), 1);
  });

  it('turns many requests during a run into exactly one more run', async () => {
    const { task, finishRun, runs } = controlledTask();
    const coalesced = new CoalescedTask(task, failOnError);
    const first = coalesced.request();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs(), 1);

    const during = Array.from({ length: 1000 }, () => coalesced.request());
    await finishRun();
    assert.equal(runs(), 2);
    await finishRun();
    await Promise.all([first, ...during]);
    assert.equal(runs(), 2);

    // Idle again: a new request starts a new run.
    const later = coalesced.request();
    await new Promise((resolve) => setImmediate(resolve));
    await finishRun();
    await later;
    assert.equal(runs(), 3);
  });

  it('reports a failed run and still runs when asked again', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const coalesced = new CoalescedTask(
      () => {
        runs += 1;
        return runs === 1 ? Promise.reject(new Error('first run fails')) : Promise.resolve();
      },
      (error) => errors.push(error),
    );
    await coalesced.request();
    await coalesced.request();
    assert.equal(runs, 2);
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['first run fails'],
    );
  });

  it('starts no run after stop()', async () => {
    let runs = 0;
    const coalesced = new CoalescedTask(() => {
      runs += 1;
      return Promise.resolve();
    }, failOnError);
    coalesced.stop();
    await coalesced.request();
    assert.equal(runs, 0);
  });
});
