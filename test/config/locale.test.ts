import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format } from 'date-fns';
import { matchLocaleCode, resolveClockLocale } from '../../src/config/locale.js';
import { configSchema } from '../../src/config/schema.js';

// A Friday in December, at a fixed local time.
const FIXED_DATE = new Date(2026, 11, 4, 9, 30);

test('POSIX locale names map to the date-fns locale of their language or region', () => {
  assert.equal(matchLocaleCode('de_DE.UTF-8'), 'de');
  assert.equal(matchLocaleCode('de_AT.UTF-8@euro'), 'de-AT');
  assert.equal(matchLocaleCode('fr_CH'), 'fr-CH');
  assert.equal(matchLocaleCode('en_GB.UTF-8'), 'en-GB');
  assert.equal(matchLocaleCode('en'), 'en-US');
  assert.equal(matchLocaleCode('C.UTF-8'), null);
  assert.equal(matchLocaleCode('xx_YY'), null);
});

test('a German environment gives German day and month names', () => {
  const { code, locale, problem } = resolveClockLocale(undefined, { LANG: 'de_DE.UTF-8' });
  assert.equal(code, 'de');
  assert.equal(problem, null);
  assert.equal(format(FIXED_DATE, 'EEEE d MMMM HH:mm', { locale }), 'Freitag 4 Dezember 09:30');
});

test('LC_ALL wins over LC_TIME, which wins over LANG', () => {
  const env = { LC_ALL: 'fr_FR.UTF-8', LC_TIME: 'de_DE.UTF-8', LANG: 'es_ES.UTF-8' };
  assert.equal(resolveClockLocale(undefined, env).code, 'fr');
  assert.equal(resolveClockLocale(undefined, { ...env, LC_ALL: '' }).code, 'de');
});

test('the configured locale wins over the environment', () => {
  const { locale } = resolveClockLocale('de', { LANG: 'fr_FR.UTF-8' });
  assert.equal(format(FIXED_DATE, 'EEE', { locale }), 'Fr.');
});

test('an unknown environment locale falls back to en-US and says why', () => {
  const resolved = resolveClockLocale(undefined, { LANG: 'tlh_KLINGON.UTF-8' });
  assert.equal(resolved.code, 'en-US');
  assert.equal(
    resolved.problem,
    'LANG=tlh_KLINGON.UTF-8 names no locale date-fns has, using en-US',
  );
  assert.equal(format(FIXED_DATE, 'EEEE', { locale: resolved.locale }), 'Friday');
  assert.equal(resolveClockLocale(undefined, { LANG: 'C.UTF-8' }).problem, null);
});

test('a clock.locale date-fns does not have is a config error naming the closest one', () => {
  const parsed = configSchema.safeParse({ clock: { locale: 'de-AX' } });
  assert.ok(!parsed.success);
  assert.deepEqual(
    parsed.error.issues.map((issue) => [issue.message, issue.path.join('.')]),
    [['date-fns has no locale "de-AX" (did you mean "de-AT"?)', 'clock.locale']],
  );
});
