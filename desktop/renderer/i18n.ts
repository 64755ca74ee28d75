/**
 * Strings of the UI. Every visible string comes from `locales/<locale>.json` through `t`. Simplified Chinese is
 * the default; the English switch is remembered in localStorage. A missing key shows as the key itself (the i18n
 * test fails on any such key in zh-CN), never as an empty label.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const STORAGE_KEY = 'wuma.locale';
type Dict = Readonly<Record<string, string>>;

let current: Locale = 'zh-CN';
let dict: Dict = {};
const listeners = new Set<() => void>();

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The locale stored in localStorage, else zh-CN. */
export function savedLocale(): Locale {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(v) ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export async function loadLocale(locale: Locale): Promise<void> {
  const res = await fetch(new URL(`./locales/${locale}.json`, import.meta.url));
  if (!res.ok) throw new Error(`locale ${locale}: HTTP ${res.status}`);
  dict = (await res.json()) as Dict;
  current = locale;
  document.documentElement.lang = locale;
}

/** Switches, remembers and re-renders (every `onLocaleChange` listener). */
export async function setLocale(locale: Locale): Promise<void> {
  await loadLocale(locale);
  try { globalThis.localStorage?.setItem(STORAGE_KEY, locale); } catch { /* private mode: not remembered */ }
  for (const l of listeners) l();
}

export function locale(): Locale {
  return current;
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** The string for `key` with `{name}` placeholders filled from `params`. */
export function t(key: string, params: Readonly<Record<string, string | number>> = {}): string {
  const s = dict[key];
  if (s === undefined || s === '') return key;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** For keys built from server values (reject reasons, alarm kinds): the server's own text when we have none. */
export function tOr(key: string, fallback: string, params: Readonly<Record<string, string | number>> = {}): string {
  return dict[key] === undefined || dict[key] === '' ? fallback : t(key, params);
}

export function formatNumber(n: number): string {
  return n.toLocaleString(current);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(current, { hour12: false });
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(current, { hour12: false });
}
