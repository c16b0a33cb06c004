import type { Variant } from 'dbus-next';
import { toDisplayText } from '../util/text.js';

/*
 * Notifications as the freedesktop Desktop Notifications spec (1.2) defines them, without any
 * D-Bus or GTK: what a Notify call asks for, turned into what the popups show. Every text comes
 * from some program of the host and is untrusted: it is shown as plain text, never as markup.
 */

export const URGENCIES = ['low', 'normal', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** NotificationClosed's reasons, numbered as the spec numbers them. */
export const CLOSE_REASON = {
  expired: 1,
  dismissed: 2,
  closedByCall: 3,
  undefined: 4,
} as const;
export type CloseReason = (typeof CLOSE_REASON)[keyof typeof CLOSE_REASON];

export interface NotificationAction {
  key: string;
  label: string;
}

/** A Notify call's arguments, as they arrive. */
export interface NotifyRequest {
  appName: string;
  replacesId: number;
  summary: string;
  body: string;
  /** Pairs of key and label, flattened: [key1, label1, key2, label2...]. */
  actions: string[];
  hints: Record<string, Variant>;
  /** Milliseconds; -1: the server's default, 0: never. */
  expireTimeout: number;
}

/** One notification on screen, as `cexbar msg state` shows it. */
export interface Notification {
  id: number;
  appName: string;
  summary: string;
  body: string;
  urgency: Urgency;
  actions: NotificationAction[];
  /** The "resident" hint: invoking an action does not close it. */
  resident: boolean;
  /** Whether it closes by itself; critical notifications and a timeout of 0 never do. */
  expires: boolean;
}

// Longer texts are cut: a popup is no place for a log file.
const MAX_SUMMARY_LENGTH = 200;
const MAX_BODY_LENGTH = 2000;
const MAX_APP_NAME_LENGTH = 60;
const MAX_ACTIONS = 8;

// Control characters but the line feed, and the line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const BODY_CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A body as plain text: its lines kept, other control characters shown as U+FFFD, cut. */
export function toDisplayBody(body: string): string {
  const lines = body
    .slice(0, MAX_BODY_LENGTH * 4)
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const clean = lines
    .slice(0, 20)
    .map((line) => line.replace(BODY_CONTROL_CHARACTERS, '\uFFFD'))
    .join('\n');
  return clean.length > MAX_BODY_LENGTH ? `${clean.slice(0, MAX_BODY_LENGTH - 1)}…` : clean;
}

/** A hint's value as a number: bytes arrive as numbers, 64-bit integers as BigInt. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/** The urgency hint (a byte: 0 low, 1 normal, 2 critical); anything else is normal. */
export function urgencyOf(hints: Record<string, Variant>): Urgency {
  const level = numberOf(hints.urgency?.value);
  return level === 0 ? 'low' : level === 2 ? 'critical' : 'normal';
}

/** The flattened key/label pairs; an odd one out and empty keys are dropped. */
export function actionsOf(flat: string[]): NotificationAction[] {
  const actions: NotificationAction[] = [];
  for (let index = 0; index + 1 < flat.length && actions.length < MAX_ACTIONS; index += 2) {
    const key = flat[index] ?? '';
    const label = flat[index + 1] ?? '';
    if (key !== '') actions.push({ key, label: toDisplayText(label === '' ? key : label, 40) });
  }
  return actions;
}

/**
 * How long the notification stays, in milliseconds, or null: until closed. Critical ones stay
 * (the spec asks so); -1 (or any other negative value) means the configured default.
 */
export function lifetimeOf(request: NotifyRequest, defaultMs: number): number | null {
  if (urgencyOf(request.hints) === 'critical' || request.expireTimeout === 0) return null;
  return request.expireTimeout < 0 ? defaultMs : request.expireTimeout;
}

/** What a Notify call shows, with the id it gets. */
export function toNotification(id: number, request: NotifyRequest, expires: boolean): Notification {
  return {
    id,
    appName: toDisplayText(request.appName, MAX_APP_NAME_LENGTH),
    summary: toDisplayText(request.summary, MAX_SUMMARY_LENGTH),
    body: toDisplayBody(request.body),
    urgency: urgencyOf(request.hints),
    actions: actionsOf(request.actions),
    resident: request.hints.resident?.value === true,
    expires,
  };
}
