import type { ContainerState } from '../containers/container-state.js';
import { toDisplayText } from '../util/text.js';
import { popUpContainerMenu } from './container-menu.js';
import { currentMenuTrigger, MenuOpeners, type MenuTrigger } from './popup-menu.js';
import { Gtk, addClasses, clearBox, setClasses, type GtkButton, type GtkLabel } from './gtk.js';
import { renderOnChange, runAction, type BarModule, type ModuleContext } from './module.js';

const STATE_CLASSES = [
  'running',
  'stopped',
  'frozen',
  'missing',
  'busy',
  'failed',
  'session',
] as const;

/** The mark before a container's name: what a glance at the bar should tell. */
function markOf(container: ContainerState): string {
  if (container.task !== null) return '…';
  if (container.error !== null || container.state === 'MISSING') return '!';
  if (container.state === 'RUNNING') return container.running?.status === 'running' ? '◆' : '●';
  if (container.state === 'FROZEN') return '❄';
  return '○';
}

function classesOf(container: ContainerState): (typeof STATE_CLASSES)[number][] {
  const wanted: (typeof STATE_CLASSES)[number][] = [];
  if (container.state === 'RUNNING') wanted.push('running');
  if (container.state === 'STOPPED') wanted.push('stopped');
  if (container.state === 'FROZEN') wanted.push('frozen');
  if (container.state === 'MISSING') wanted.push('missing');
  if (container.task !== null) wanted.push('busy');
  if (container.error !== null) wanted.push('failed');
  if (container.running?.status === 'running') wanted.push('session');
  return wanted;
}

function tooltipOf(container: ContainerState, lxcPath: string): string {
  const lines = [`${container.name}: ${container.state.toLowerCase()}`];
  if (container.state === 'MISSING') lines.push(`no such container under ${lxcPath}`);
  if (container.ipv4.length > 0) lines.push(`address ${container.ipv4.join(', ')}`);
  if (container.task !== null) lines.push(`${container.task}…`);
  if (container.running !== null)
    lines.push(`session: ${container.running.type} (${container.running.status})`);
  if (container.error !== null) lines.push(`error: ${container.error}`);
  return lines.join('\n');
}

interface ContainerButton {
  button: GtkButton;
  label: GtkLabel;
}

// The containers modules on the bars now, each able to pop up a container's menu by name
// (null: that module does not show the container).
const MENU_OPENERS = new MenuOpeners();

/**
 * Pops up a container's menu on the first bar that shows the container, as a right click does
 * (`cexbar msg menu containers NAME`); resolves once it is up. Rejects when no bar shows it.
 */
export function openContainerMenu(name: string): Promise<void> {
  return MENU_OPENERS.open(
    name,
    () => `no containers module on the bars shows a container named ${JSON.stringify(name)}`,
  );
}

const SECONDARY_BUTTON = 3;

/** One button per container with its name and state; a click starts it and opens its session. */
export function createContainersModule(context: ModuleContext): BarModule {
  const root = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 2 });
  addClasses(root, 'widget', 'containers');
  const box = new Gtk.Box({ orientation: Gtk.Orientation.HORIZONTAL, spacing: 2 });
  // A problem with LXC as a whole (no sudoers line, a broken LXC path) is shown once, here.
  const problem = new Gtk.Label({ label: '' });
  addClasses(problem, 'problem');
  root.packStart(box, false, false, 0);
  root.packStart(problem, false, false, 0);
  problem.setNoShowAll(true);
  const buttons = new Map<string, ContainerButton>();
  let shownNames = '';

  const popUp = (name: string, trigger: MenuTrigger | null = null): Promise<void> | null => {
    const shown = buttons.get(name);
    const container = context.containers.state.containers.find((each) => each.name === name);
    if (shown === undefined || container === undefined) return null;
    const current = (): ContainerState | undefined =>
      context.containers.state.containers.find((each) => each.name === name);
    return popUpContainerMenu(shown.button, current, context.actions, trigger);
  };
  MENU_OPENERS.add(popUp);

  const build = (containers: ContainerState[]): void => {
    clearBox(box);
    buttons.clear();
    for (const container of containers) {
      const label = new Gtk.Label({ label: '' });
      const button = new Gtk.Button({ relief: Gtk.ReliefStyle.NONE });
      button.add(label);
      addClasses(button, 'container');
      button.on('clicked', () => runAction(context.actions.activateContainer(container.name)));
      button.on('button-press-event', (event) => {
        if (event.button !== SECONDARY_BUTTON) return false;
        void popUp(container.name, currentMenuTrigger());
        return true;
      });
      box.packStart(button, false, false, 0);
      buttons.set(container.name, { button, label });
    }
    box.showAll();
  };

  const stop = renderOnChange(context.containers, (state) => {
    const names = JSON.stringify(state.containers.map((container) => container.name));
    if (names !== shownNames) {
      shownNames = names;
      build(state.containers);
    }
    for (const container of state.containers) {
      const shown = buttons.get(container.name);
      if (shown === undefined) continue;
      shown.label.setText(`${markOf(container)} ${toDisplayText(container.name, 32)}`);
      shown.button.setTooltipText(tooltipOf(container, state.lxcPath));
      setClasses(shown.button, STATE_CLASSES, classesOf(container));
    }
    problem.setText(state.error === null ? '' : `! ${toDisplayText(state.error, 60)}`);
    problem.setTooltipText(state.error);
    problem.setVisible(state.error !== null);
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
