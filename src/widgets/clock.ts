import { format } from 'date-fns';
import { resolveClockLocale } from '../config/locale.js';
import { log } from '../util/log.js';
import { Gtk, addClasses } from './gtk.js';
import type { BarModule, ModuleContext } from './module.js';

/** Milliseconds until the next whole second or minute, whichever the format shows. */
function delayToNextTick(now: Date, showsSeconds: boolean): number {
  if (showsSeconds) return 1000 - now.getMilliseconds();
  return 60_000 - (now.getSeconds() * 1000 + now.getMilliseconds());
}

// Every bar has a clock and every config change rebuilds them: the same problem is said once.
let loggedLocaleProblem: string | null = null;

/** A clock that wakes only when its text can change: at each minute, or second if shown. */
export function createClockModule(context: ModuleContext): BarModule {
  const label = new Gtk.Label({ label: '' });
  addClasses(label, 'widget', 'clock');
  const pattern = context.config.clock.format;
  const { locale, problem } = resolveClockLocale(context.config.clock.locale, process.env);
  if (problem !== null && problem !== loggedLocaleProblem) log.warn('clock', problem);
  loggedLocaleProblem = problem;
  // date-fns tokens for seconds are "s" outside quoted text.
  const showsSeconds = /s/.test(pattern.replace(/'[^']*'/g, ''));
  let timer: NodeJS.Timeout | undefined;

  const tick = (): void => {
    const now = new Date();
    label.setText(format(now, pattern, { locale }));
    timer = setTimeout(tick, delayToNextTick(now, showsSeconds) + 5);
  };
  tick();
  return {
    root: label,
    text: () => label.getText(),
    destroy: () => {
      clearTimeout(timer);
      label.destroy();
    },
  };
}
