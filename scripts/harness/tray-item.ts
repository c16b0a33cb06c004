import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { interface as dbusInterface, sessionBus, Variant, type MessageBus } from 'dbus-next';
import {
  addMatch,
  callMethod,
  ITEM_INTERFACE,
  MENU_INTERFACE,
  NAME_OWNER_CHANGED_RULE,
  nameOwner,
  nameOwnerChange,
  onSignal,
  requestName,
  WATCHER_INTERFACE,
  WATCHER_NAME,
  WATCHER_PATH,
} from '../../src/tray/dbus.js';

/*
 * A real StatusNotifierItem for the tray's tests, exported with dbus-next the way applications
 * export theirs: an icon (a square pixmap of one colour in several sizes, and/or a theme name),
 * a tooltip, a status and a dbusmenu. It registers with the watcher, and again whenever a new
 * watcher takes the name (as libappindicator and Qt items do). Every call it gets is a line on
 * stdout for the test to read; lines on stdin change it:
 *   status Passive|Active|NeedsAttention · tooltip TEXT · colour RRGGBB · label ID TEXT
 *
 * Usage: tray-item --id ID [--colour RRGGBB] [--attention-colour RRGGBB] [--icon-name NAME]
 *        [--icon-theme-path DIR] [--status STATUS] [--tooltip TEXT]
 */

const { values: options } = parseArgs({
  options: {
    id: { type: 'string', default: 'cexbar-test-item' },
    colour: { type: 'string', default: 'ff0000' },
    'attention-colour': { type: 'string', default: '0000ff' },
    'icon-name': { type: 'string', default: '' },
    'icon-theme-path': { type: 'string', default: '' },
    status: { type: 'string', default: 'Active' },
    tooltip: { type: 'string', default: 'A test item' },
  },
});

const ITEM_PATH = '/StatusNotifierItem';
const MENU_PATH = '/MenuBar';
const PIXMAP_SIZES = [16, 22, 32, 48];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Square ARGB32 (network byte order) pixmaps of one opaque colour, one per size. */
function pixmapsOf(colour: string): [number, number, Buffer][] {
  const rgb = Buffer.from(colour, 'hex');
  return PIXMAP_SIZES.map((size) => {
    const data = Buffer.alloc(size * size * 4);
    for (let offset = 0; offset < data.length; offset += 4) {
      data[offset] = 0xff;
      rgb.copy(data, offset + 1);
    }
    return [size, size, data];
  });
}

class Item extends dbusInterface.Interface {
  Category = 'ApplicationStatus';
  Id = options.id;
  Title = `Test item ${options.id}`;
  Status = options.status;
  WindowId = 0;
  IconThemePath = options['icon-theme-path'];
  Menu = MENU_PATH;
  ItemIsMenu = false;
  IconName = options['icon-name'];
  IconPixmap = pixmapsOf(options.colour);
  OverlayIconName = '';
  OverlayIconPixmap: [number, number, Buffer][] = [];
  AttentionIconName = '';
  AttentionIconPixmap = pixmapsOf(options['attention-colour']);
  AttentionMovieName = '';
  tooltipText = options.tooltip;

  get ToolTip(): [string, [number, number, Buffer][], string, string] {
    return ['', [], options.id, this.tooltipText];
  }

  Activate(x: number, y: number): void {
    say(`activate ${x} ${y}`);
  }

  SecondaryActivate(x: number, y: number): void {
    say(`secondary-activate ${x} ${y}`);
  }

  ContextMenu(x: number, y: number): void {
    say(`context-menu ${x} ${y}`);
  }

  Scroll(delta: number, orientation: string): void {
    say(`scroll ${delta} ${orientation}`);
  }

  NewTitle(): void {
    return undefined;
  }
  NewIcon(): void {
    return undefined;
  }
  NewAttentionIcon(): void {
    return undefined;
  }
  NewToolTip(): void {
    return undefined;
  }
  NewStatus(status: string): string {
    return status;
  }
}

// Fresh objects each: configureMembers writes each property's name into its options.
const pixmapProperty = () => ({ signature: 'a(iiay)', access: 'read' }) as const;
const text = () => ({ signature: 's', access: 'read' }) as const;
Item.configureMembers({
  properties: {
    Category: text(),
    Id: text(),
    Title: text(),
    Status: text(),
    WindowId: { signature: 'i', access: 'read' },
    IconThemePath: text(),
    Menu: { signature: 'o', access: 'read' },
    ItemIsMenu: { signature: 'b', access: 'read' },
    IconName: text(),
    IconPixmap: pixmapProperty(),
    OverlayIconName: text(),
    OverlayIconPixmap: pixmapProperty(),
    AttentionIconName: text(),
    AttentionIconPixmap: pixmapProperty(),
    AttentionMovieName: text(),
    ToolTip: { signature: '(sa(iiay)ss)', access: 'read' },
  },
  methods: {
    Activate: { inSignature: 'ii' },
    SecondaryActivate: { inSignature: 'ii' },
    ContextMenu: { inSignature: 'ii' },
    Scroll: { inSignature: 'is' },
  },
  signals: {
    NewTitle: { signature: '' },
    NewIcon: { signature: '' },
    NewAttentionIcon: { signature: '' },
    NewToolTip: { signature: '' },
    NewStatus: { signature: 's' },
  },
});

interface Entry {
  id: number;
  properties: Record<string, Variant>;
  children?: Entry[];
}

/** The menu: a plain entry, a separator, a check box, a disabled and a hidden entry, a submenu. */
const ENTRIES: Entry[] = [
  { id: 1, properties: { label: new Variant('s', 'Say _hello') } },
  { id: 2, properties: { type: new Variant('s', 'separator') } },
  {
    id: 3,
    properties: {
      label: new Variant('s', 'Check me'),
      'toggle-type': new Variant('s', 'checkmark'),
      'toggle-state': new Variant('i', 1),
    },
  },
  { id: 4, properties: { label: new Variant('s', 'Disabled'), enabled: new Variant('b', false) } },
  { id: 5, properties: { label: new Variant('s', 'Hidden'), visible: new Variant('b', false) } },
  { id: 6, properties: { label: new Variant('s', 'Last entry') } },
  {
    id: 7,
    properties: {
      label: new Variant('s', 'More'),
      'children-display': new Variant('s', 'submenu'),
    },
    children: [{ id: 8, properties: { label: new Variant('s', 'Nested') } }],
  },
];

/** Every entry, the nested ones too. */
function allEntries(entries: Entry[] = ENTRIES): Entry[] {
  return entries.flatMap((entry) => [entry, ...allEntries(entry.children ?? [])]);
}

function nodeOf(entry: Entry): Variant {
  const children = (entry.children ?? []).map(nodeOf);
  return new Variant('(ia{sv}av)', [entry.id, entry.properties, children]);
}

class Menu extends dbusInterface.Interface {
  Version = 3;
  TextDirection = 'ltr';
  Status = 'normal';
  IconThemePath: string[] = [];
  revision = 1;

  GetLayout(parentId: number): [number, [number, Record<string, Variant>, Variant[]]] {
    const parent = allEntries().find((entry) => entry.id === parentId);
    const children = parentId === 0 ? ENTRIES : (parent?.children ?? []);
    const nodes = children.map(nodeOf);
    const root = { 'children-display': new Variant('s', 'submenu') };
    return [this.revision, [parentId, parentId === 0 ? root : {}, nodes]];
  }

  GetGroupProperties(ids: number[]): [number, Record<string, Variant>][] {
    return allEntries()
      .filter((entry) => ids.includes(entry.id))
      .map((e) => [e.id, e.properties]);
  }

  GetProperty(id: number, name: string): Variant {
    return allEntries().find((entry) => entry.id === id)?.properties[name] ?? new Variant('s', '');
  }

  Event(id: number, eventId: string): void {
    const label = allEntries().find((entry) => entry.id === id)?.properties.label?.value as unknown;
    say(`menu ${eventId} ${id} ${String(label)}`);
  }

  AboutToShow(id: number): boolean {
    say(`about-to-show ${id}`);
    return false;
  }

  LayoutUpdated(revision: number, parent: number): [number, number] {
    return [revision, parent];
  }

  ItemsPropertiesUpdated(): [[number, Record<string, Variant>][], [number, string[]][]] {
    return [[], []];
  }
}

Menu.configureMembers({
  properties: {
    Version: { signature: 'u', access: 'read' },
    TextDirection: text(),
    Status: text(),
    IconThemePath: { signature: 'as', access: 'read' },
  },
  methods: {
    GetLayout: { inSignature: 'iias', outSignature: 'u(ia{sv}av)' },
    GetGroupProperties: { inSignature: 'aias', outSignature: 'a(ia{sv})' },
    GetProperty: { inSignature: 'is', outSignature: 'v' },
    Event: { inSignature: 'isvu' },
    AboutToShow: { inSignature: 'i', outSignature: 'b' },
  },
  signals: {
    LayoutUpdated: { signature: 'ui' },
    ItemsPropertiesUpdated: { signature: 'a(ia{sv})a(ias)' },
  },
});

const serviceName = `org.kde.StatusNotifierItem-${process.pid}-1`;

/** Registers with whoever owns the watcher name now; nobody: it waits for one. */
async function register(bus: MessageBus): Promise<void> {
  const owner = await nameOwner(bus, WATCHER_NAME);
  if (owner === null) {
    say('no watcher');
    return;
  }
  await callMethod(bus, {
    destination: WATCHER_NAME,
    path: WATCHER_PATH,
    interface: WATCHER_INTERFACE,
    member: 'RegisterStatusNotifierItem',
    signature: 's',
    body: [serviceName],
  });
  say(`registered with ${owner}`);
}

function followStdin(item: Item, menu: Menu): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [command = '', ...words] = line.split(' ');
    const argument = words.join(' ');
    if (command === 'status') {
      item.Status = argument;
      item.NewStatus(argument);
    } else if (command === 'tooltip') {
      item.tooltipText = argument;
      item.NewToolTip();
    } else if (command === 'colour') {
      item.IconPixmap = pixmapsOf(argument);
      item.NewIcon();
    } else if (command === 'label') {
      const [id = '', ...label] = words;
      const entry = allEntries().find((each) => each.id === Number(id));
      if (entry !== undefined) entry.properties.label = new Variant('s', label.join(' '));
      menu.revision += 1;
      menu.LayoutUpdated(menu.revision, 0);
    }
    say(`done ${command}`);
  });
}

async function main(): Promise<void> {
  const bus = sessionBus();
  const item = new Item(ITEM_INTERFACE);
  const menu = new Menu(MENU_INTERFACE);
  bus.export(ITEM_PATH, item);
  bus.export(MENU_PATH, menu);
  if (!(await requestName(bus, serviceName))) throw new Error(`${serviceName} is taken`);
  onSignal(bus, (signal) => {
    const change = nameOwnerChange(signal);
    if (change?.name === WATCHER_NAME && change.newOwner !== '') void register(bus);
  });
  await addMatch(bus, NAME_OWNER_CHANGED_RULE);
  followStdin(item, menu);
  say(`ready ${serviceName}`);
  await register(bus);
}

main().catch((error: unknown) => {
  process.stderr.write(`tray-item: ${String(error)}\n`);
  process.exit(1);
});
