import { isDeepStrictEqual } from 'node:util';
import { shownIcon, type TrayItemState } from '../tray/item-state.js';
import type { TraySource } from '../tray/tray-service.js';
import { describeError, log } from '../util/log.js';
import { Gdk, Gtk, addClasses, setClasses, type GtkBox, type GtkWidget } from './gtk.js';
import { renderOnChange, type BarModule, type ModuleContext } from './module.js';
import { iconPixbufOf } from './tray-icon.js';
import { currentMenuTrigger, MenuOpeners, type MenuTrigger } from './popup-menu.js';
import { popUpTrayMenu } from './tray-menu.js';

/*
 * The tray: one icon per StatusNotifierItem that is not passive, with its tooltip. A left
 * click activates the item, a middle click is its secondary action, a right click opens its
 * menu. The tray service does the D-Bus work; this renders its state and sends clicks.
 */

const PRIMARY_BUTTON = 1;
const MIDDLE_BUTTON = 2;
const SECONDARY_BUTTON = 3;
const STATUS_CLASSES = ['active', 'needs-attention'] as const;

/** A wheel step as StatusNotifierItem's Scroll takes it (smooth scrolling is not asked for). */
const SCROLL_STEPS: Partial<
  Record<number, { delta: number; orientation: 'vertical' | 'horizontal' }>
> = {
  [Gdk.ScrollDirection.UP]: { delta: -1, orientation: 'vertical' },
  [Gdk.ScrollDirection.DOWN]: { delta: 1, orientation: 'vertical' },
  [Gdk.ScrollDirection.LEFT]: { delta: -1, orientation: 'horizontal' },
  [Gdk.ScrollDirection.RIGHT]: { delta: 1, orientation: 'horizontal' },
};

interface ItemWidget {
  box: InstanceType<typeof Gtk.EventBox>;
  image: InstanceType<typeof Gtk.Image>;
  /** What the image shows now, so that a state change that keeps the icon redraws nothing. */
  shown: TrayItemState | null;
}

/** The icon size: the config's, or the bar's height less a little room. */
function iconSizeOf(context: ModuleContext): number {
  return context.config.tray.iconSize ?? Math.max(8, context.config.height - 6);
}

function tooltipOf(item: TrayItemState): string {
  const title = item.toolTip?.title || item.title || item.id || item.key;
  const text = item.toolTip?.text ?? '';
  return text === '' ? title : `${title}\n${text}`;
}

// The tray modules on the bars now, each able to pop up an item's menu (null: not shown there).
const MENU_OPENERS = new MenuOpeners();

/**
 * Pops up a tray item's menu on the first bar that shows the item, as a right click does
 * (`cexbar msg menu tray ITEM`); resolves once it is up.
 */
export function openTrayMenu(item: string): Promise<void> {
  return MENU_OPENERS.open(
    item,
    () => `no tray module on the bars shows an item ${JSON.stringify(item)}`,
  );
}

function report(what: string, action: Promise<void>): void {
  action.catch((error: unknown) => log.warn('tray', `${what} failed (${describeError(error)})`));
}

/** A right click (`trigger`), a left one on an item that is only a menu, or `cexbar msg`. */
function openMenu(
  tray: TraySource,
  item: TrayItemState,
  anchor: GtkWidget,
  trigger: MenuTrigger | null,
): Promise<void> {
  const client = tray.menuOf(item.key);
  if (client === null) return tray.contextMenu(item.key);
  return popUpTrayMenu(anchor, client, trigger);
}

function createItemWidget(tray: TraySource, key: string): ItemWidget {
  const box = new Gtk.EventBox();
  addClasses(box, 'tray-item');
  const image = new Gtk.Image();
  box.add(image);
  box.on('button-press-event', (event) => {
    const item = tray.state.items.find((each) => each.key === key);
    if (item === undefined) return false;
    const [x, y] = [event.xRoot, event.yRoot];
    if (event.button === SECONDARY_BUTTON || (event.button === PRIMARY_BUTTON && item.itemIsMenu)) {
      // Hung from the image: a menu hung from the event box (a widget with its own GDK window)
      // was seen at twice the box's x on the bar.
      report(`${item.id}: the menu`, openMenu(tray, item, image, currentMenuTrigger()));
    } else if (event.button === PRIMARY_BUTTON) {
      report(`${item.id}: Activate`, tray.activate(key, x, y));
    } else if (event.button === MIDDLE_BUTTON) {
      report(`${item.id}: SecondaryActivate`, tray.secondaryActivate(key, x, y));
    }
    return true;
  });
  box.addEvents(Gdk.EventMask.SCROLL_MASK);
  box.on('scroll-event', (event) => {
    const step = SCROLL_STEPS[event.direction];
    if (step === undefined) return false;
    report(`${key}: Scroll`, tray.scroll(key, step.delta, step.orientation));
    return true;
  });
  return { box, image, shown: null };
}

function renderItem(widget: ItemWidget, item: TrayItemState, size: number): void {
  const before = widget.shown;
  const iconChanged =
    before === null ||
    before.iconThemePath !== item.iconThemePath ||
    !isDeepStrictEqual(shownIcon(before), shownIcon(item));
  if (iconChanged) {
    const pixbuf = iconPixbufOf(item, size);
    if (pixbuf === null) widget.image.setFromIconName('image-missing', Gtk.IconSize.SMALL_TOOLBAR);
    else widget.image.setFromPixbuf(pixbuf);
  }
  widget.box.setTooltipText(tooltipOf(item));
  const wanted = item.status === 'NeedsAttention' ? ['needs-attention'] : ['active'];
  setClasses(widget.box, STATUS_CLASSES, wanted);
  widget.shown = item;
}

/** Puts the shown items in the box in the state's order; passive ones are left out. */
function renderItems(
  box: GtkBox,
  widgets: Map<string, ItemWidget>,
  context: ModuleContext,
): number {
  const shown = context.tray.state.items.filter((item) => item.status !== 'Passive');
  const keys = new Set(shown.map((item) => item.key));
  for (const [key, widget] of widgets) {
    if (keys.has(key)) continue;
    widget.box.destroy();
    widgets.delete(key);
  }
  shown.forEach((item, position) => {
    let widget = widgets.get(item.key);
    if (widget === undefined) {
      widget = createItemWidget(context.tray, item.key);
      widgets.set(item.key, widget);
      box.packStart(widget.box, false, false, 0);
      widget.box.showAll();
    }
    box.reorderChild(widget.box, position);
    renderItem(widget, item, iconSizeOf(context));
  });
  return shown.length;
}

export function createTrayModule(context: ModuleContext): BarModule {
  const root = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 4 });
  addClasses(root, 'widget', 'tray');
  // An empty tray takes no space: hidden, and kept so by the bar's showAll().
  root.setNoShowAll(true);
  const widgets = new Map<string, ItemWidget>();

  const popUp = (item: string): Promise<void> | null => {
    const found = context.tray.state.items.find(
      (each) => (each.id === item || each.key === item) && widgets.has(each.key),
    );
    const widget = found === undefined ? undefined : widgets.get(found.key);
    if (found === undefined || widget === undefined) return null;
    return openMenu(context.tray, found, widget.image, null);
  };
  MENU_OPENERS.add(popUp);

  const stop = renderOnChange(context.tray, () => {
    root.setVisible(renderItems(root, widgets, context) > 0);
  });
  return {
    root,
    destroy: () => {
      MENU_OPENERS.delete(popUp);
      stop();
      root.destroy();
    },
  };
}
