import { titleFormatCommand } from '../sway/commands.js';
import { describeError, log } from '../util/log.js';
import type { Unsubscribe } from '../util/observable.js';
import { LABEL_COLOUR_HEX, type LabelColour } from './label-colours.js';
import type { WindowOwnersState } from './window-owners.js';

/*
 * The owner of a container's window, written into its Sway title bar (`windows.markInSway`):
 * the container's name in its colour before the title, through Sway's per-view title_format.
 *
 * Sway 1.7 reads a title_format as Pango markup only when the config's font is `pango:...`
 * (config->pango_markup), and then escapes what it puts in for `%title` (view.c, append_prop),
 * so a title such as "<b>x</b> & y" stays literal. With any other font the whole format is
 * drawn as plain text: markup would show as tags, so the mark is plain "[NAME]" then.
 */

/** What the marker sends commands to: the Sway client in the panel. */
export interface SwayCommands {
  command(text: string): Promise<void>;
}

interface StateOf<T> {
  readonly state: T;
  subscribe(listener: (state: T) => void): Unsubscribe;
}

/** Whether Sway draws titles as markup: the config's last `font` line names a pango: font. */
export function usesPangoMarkup(configText: string): boolean {
  let pango = false;
  for (const line of configText.split('\n')) {
    const font = /^\s*font\s+(.*)$/.exec(line);
    if (font !== null) pango = (font[1] ?? '').trim().startsWith('pango:');
  }
  return pango;
}

function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&quot;');
}

/** The title_format of a container's window; `%title` is Sway's own placeholder. */
export function markedTitleFormat(owner: string, colour: LabelColour, markup: boolean): string {
  if (!markup) return `[${owner}] %title`;
  const { background, text } = LABEL_COLOUR_HEX[colour];
  // Single quotes inside: the Sway quoting of the whole format then stays one plain string.
  return (
    `<span background='${background}' foreground='${text}' weight='bold'> ` +
    `${escapeMarkup(owner)} </span> %title`
  );
}

/** Sway's default format, for a window that no longer belongs to a container. */
const PLAIN_FORMAT = '%title';

/**
 * Keeps the title_format of every container window in step with its owner. A command goes to
 * Sway only when a window's owner changes (a new window included), never on a title change.
 */
export class SwayTitleMarker {
  readonly #sway: SwayCommands;
  readonly #markup: boolean;
  /** Per con_id, the owner its format was last set for. */
  readonly #marked = new Map<number, string>();
  readonly #unsubscribe: Unsubscribe;

  constructor(owners: StateOf<WindowOwnersState>, sway: SwayCommands, markup: boolean) {
    this.#sway = sway;
    this.#markup = markup;
    this.#unsubscribe = owners.subscribe((state) => {
      this.#sync(state);
    });
    this.#sync(owners.state);
  }

  close(): void {
    this.#unsubscribe();
  }

  #sync(state: WindowOwnersState): void {
    const present = new Set<number>();
    for (const group of state.groups) {
      for (const window of group.windows) {
        present.add(window.id);
        if (group.owner === null || group.colour === null) {
          if (this.#marked.delete(window.id)) this.#send(window.id, PLAIN_FORMAT);
          continue;
        }
        if (this.#marked.get(window.id) === group.owner) continue;
        this.#marked.set(window.id, group.owner);
        this.#send(window.id, markedTitleFormat(group.owner, group.colour, this.#markup));
      }
    }
    for (const id of this.#marked.keys()) if (!present.has(id)) this.#marked.delete(id);
  }

  #send(conId: number, format: string): void {
    this.#sway.command(titleFormatCommand(conId, format)).catch((error: unknown) => {
      // A window that closed in the meantime has nothing left to mark.
      log.debug('sway', `could not mark window ${conId} (${describeError(error)})`);
    });
  }
}
