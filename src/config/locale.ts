import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Locale } from 'date-fns';

/*
 * The date-fns locale the clock formats with. Each locale is its own file, loaded when used:
 * loading all of date-fns's ninety locales costs a third of a second, and only one is needed.
 */

/** The locale when the environment names none, or one date-fns does not have. */
export const FALLBACK_LOCALE = 'en-US';

// date-fns/locale/CODE.cjs for every locale, beside the one we know exists.
const LOCALE_FOLDER = dirname(require.resolve(`date-fns/locale/${FALLBACK_LOCALE}`));

let knownCodes: string[] | null = null;

/** Every locale code date-fns has, such as "de", "de-AT" and "en-US". */
export function localeCodes(): string[] {
  knownCodes ??= readdirSync(LOCALE_FOLDER)
    .filter((file) => file.endsWith('.cjs') && !file.startsWith('_'))
    .map((file) => file.slice(0, -'.cjs'.length))
    .sort();
  return knownCodes;
}

/** Loads one locale by its exact code; the code must be one of localeCodes(). */
export function loadLocale(code: string): Locale {
  if (!localeCodes().includes(code)) throw new Error(`date-fns has no locale ${code}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one file, chosen at run time
  const module = require(`date-fns/locale/${code}`) as Record<string, Locale>;
  const locale = Object.values(module).find((value) => typeof value.code === 'string');
  if (locale === undefined) throw new Error(`date-fns/locale/${code} exports no locale`);
  return locale;
}

/**
 * The date-fns code for a POSIX locale name or a BCP 47 tag: "de_DE.UTF-8" → "de" (date-fns has
 * no de-DE), "de_AT" → "de-AT", "en" → "en-US", "C" → null. Null: nothing date-fns knows.
 */
export function matchLocaleCode(name: string): string | null {
  const tag = name.replace(/[.@].*$/, '').replace(/_/g, '-');
  const [language = ''] = tag.split('-');
  if (language === '' || language === 'C' || language === 'POSIX') return null;
  const codes = localeCodes();
  const exact = codes.find((code) => code.toLowerCase() === tag.toLowerCase());
  if (exact !== undefined) return exact;
  const bare = codes.find((code) => code === language.toLowerCase());
  if (bare !== undefined) return bare;
  // A language date-fns knows only with regions ("en"): its US variant, else its first.
  const regional = codes.filter((code) => code.startsWith(`${language.toLowerCase()}-`));
  return regional.find((code) => code === `${language.toLowerCase()}-US`) ?? regional[0] ?? null;
}

/** The environment's locale for times, in POSIX order of precedence, and where it came from. */
export function environmentLocale(env: NodeJS.ProcessEnv): { name: string; from: string } | null {
  for (const variable of ['LC_ALL', 'LC_TIME', 'LANG']) {
    const value = env[variable];
    if (value !== undefined && value !== '') return { name: value, from: variable };
  }
  return null;
}

export interface ResolvedLocale {
  code: string;
  locale: Locale;
  /** Why the fallback applies although the environment names a locale, for one log line. */
  problem: string | null;
}

/** The configured locale (already checked by the schema), else the environment's, else en-US. */
export function resolveClockLocale(
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedLocale {
  if (configured !== undefined)
    return { code: configured, locale: loadLocale(configured), problem: null };
  const fromEnv = environmentLocale(env);
  const code = fromEnv === null ? null : matchLocaleCode(fromEnv.name);
  if (code !== null) return { code, locale: loadLocale(code), problem: null };
  const unknown = fromEnv !== null && !/^(C|POSIX)([.@].*)?$/.test(fromEnv.name);
  return {
    code: FALLBACK_LOCALE,
    locale: loadLocale(FALLBACK_LOCALE),
    problem: unknown
      ? `${fromEnv.from}=${fromEnv.name} names no locale date-fns has, using ${FALLBACK_LOCALE}`
      : null,
  };
}
