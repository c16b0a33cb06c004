import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Variant } from 'dbus-next';
import { ErrorRateLimit } from '../../src/notifications/error-notifier.js';
import type { NotifyRequest } from '../../src/notifications/notification.js';
import {
  NotificationStore,
  type NotificationEvent,
} from '../../src/notifications/notification-store.js';

/** A clock the test moves by hand: timers run only when it says so. */
function manualSchedule(): {
  schedule: (delayMs: number, run: () => void) => () => void;
  pending: () => number[];
  runAll: () => void;
} {
  const timers = new Map<number, { delayMs: number; run: () => void }>();
  let next = 0;
  return {
    schedule: (delayMs, run) => {
      const key = (next += 1);
      timers.set(key, { delayMs, run });
      return () => timers.delete(key);
    },
    pending: () => [...timers.values()].map((timer) => timer.delayMs),
    runAll: () => {
      for (const [key, timer] of [...timers]) {
        timers.delete(key);
        timer.run();
      }
    },
  };
}

function request(overrides: Partial<NotifyRequest> = {}): NotifyRequest {
  return {
    appName: 'test',
    replacesId: 0,
    summary: 'Hello',
    body: '',
    actions: [],
    hints: {},
    expireTimeout: -1,
    ...overrides,
  };
}

function storeWithEvents(): {
  store: NotificationStore;
  events: NotificationEvent[];
  clock: ReturnType<typeof manualSchedule>;
} {
  const clock = manualSchedule();
  const store = new NotificationStore({ defaultTimeoutMs: () => 5000, schedule: clock.schedule });
  const events: NotificationEvent[] = [];
  store.onEvent((event) => events.push(event));
  return { store, events, clock };
}

test('a timeout of -1 takes the default, 0 never expires, critical never expires', () => {
  const { store, clock } = storeWithEvents();
  store.notify(request());
  store.notify(request({ expireTimeout: 0 }));
  store.notify(request({ expireTimeout: 1200 }));
  store.notify(request({ hints: { urgency: new Variant('y', 2) }, expireTimeout: 1200 }));
  assert.deepEqual(clock.pending(), [5000, 1200]);
  assert.deepEqual(
    store.state.notifications.map((entry) => [entry.id, entry.urgency, entry.expires]),
    [
      [1, 'normal', true],
      [2, 'normal', false],
      [3, 'normal', true],
      [4, 'critical', false],
    ],
  );
});

test('an expired notification closes with reason 1', () => {
  const { store, events, clock } = storeWithEvents();
  const id = store.notify(request());
  clock.runAll();
  assert.deepEqual(store.state.notifications, []);
  assert.deepEqual(events, [{ type: 'closed', id, reason: 1 }]);
});

test('replaces_id replaces in place, keeps the id and restarts the timer', () => {
  const { store, events, clock } = storeWithEvents();
  const first = store.notify(request({ summary: 'one' }));
  store.notify(request({ summary: 'other' }));
  const again = store.notify(request({ summary: 'two', replacesId: first }));
  assert.equal(again, first);
  assert.deepEqual(
    store.state.notifications.map((entry) => entry.summary),
    ['two', 'other'],
  );
  assert.deepEqual(clock.pending(), [5000, 5000]);
  assert.deepEqual(events, []);
  // An id that is gone is a new notification.
  assert.equal(store.notify(request({ replacesId: 99 })), 3);
});

test('an invoked action is reported, then closes the notification unless it is resident', () => {
  const { store, events } = storeWithEvents();
  const actions = ['default', 'Open', 'later', 'Remind me'];
  const plain = store.notify(request({ actions }));
  const resident = store.notify(request({ actions, hints: { resident: new Variant('b', true) } }));
  store.invoke(plain, 'later');
  store.invoke(resident, 'default');
  assert.deepEqual(events, [
    { type: 'action', id: plain, key: 'later' },
    { type: 'closed', id: plain, reason: 2 },
    { type: 'action', id: resident, key: 'default' },
  ]);
  assert.deepEqual(
    store.state.notifications.map((entry) => entry.id),
    [resident],
  );
  assert.throws(() => store.invoke(resident, 'nope'), {
    message: `notification ${resident} has no action "nope" (it has: "default", "later")`,
  });
  assert.throws(() => store.invoke(42, 'default'), { message: 'no notification 42 is shown' });
});

test('hostile texts are kept as plain text, control characters made visible', () => {
  const { store } = storeWithEvents();
  store.notify(
    request({
      appName: 'evil\napp',
      summary: '<b>bold</b> & <a href="x">\u0007',
      body: 'line 1\r\nline 2\u001b[31m &amp; <img src="/etc/passwd"/>',
      hints: { 'sender-pid': new Variant('x', 12345n), urgency: new Variant('y', 0) },
    }),
  );
  const [shown] = store.state.notifications;
  assert.ok(shown !== undefined);
  assert.equal(shown.appName, 'evil\uFFFDapp');
  assert.equal(shown.summary, '<b>bold</b> & <a href="x">\uFFFD');
  assert.equal(shown.body, 'line 1\nline 2\uFFFD[31m &amp; <img src="/etc/passwd"/>');
  assert.equal(shown.urgency, 'low');
  // The snapshot is JSON: a BigInt hint must not reach it.
  assert.doesNotThrow(() => JSON.stringify(store.state));
});

test('errors are limited to three a minute, each distinct text once', () => {
  let now = 0;
  const limit = new ErrorRateLimit(() => now);
  assert.equal(limit.allow('a'), true);
  assert.equal(limit.allow('a'), false);
  assert.equal(limit.allow('b'), true);
  assert.equal(limit.allow('c'), true);
  assert.equal(limit.allow('d'), false);
  now = 60_000;
  assert.equal(limit.allow('a'), true);
});
