import type { ContainerDetails } from '../containers/lxc-backend.js';

/* What the container menu says about a container's details: text only, no GTK here. */

/** "1.5 MiB": a byte count for people. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

/** "2 h 5 min": an uptime for people. */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return minutes > 0 ? `${minutes} min` : `${seconds} s`;
}

/** The details lines the menu shows, from lxc-info. */
export function detailLines(details: ContainerDetails): string[] {
  const addresses = details.addresses.length === 0 ? 'none' : details.addresses.join(', ');
  return [
    `State: ${details.state.toLowerCase()}`,
    `Addresses: ${addresses}`,
    `Memory: ${details.memoryBytes === null ? '-' : formatBytes(details.memoryBytes)}`,
    `Uptime: ${details.uptimeSeconds === null ? '-' : formatUptime(details.uptimeSeconds)}`,
  ];
}
