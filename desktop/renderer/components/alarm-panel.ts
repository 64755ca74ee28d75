import type { AlarmView } from '../../../edge/api/contract.ts';
import { beep } from '../beep.ts';
import { h, replace } from '../dom.ts';
import { formatTime, t, tOr } from '../i18n.ts';

/**
 * Active alarms: colour (red stop / amber warning), an icon word, the text of what happened and, large, what to
 * do next. A new alarm beeps once (WebAudio); repeats of the same alarm do not beep again.
 */
export function alarmPanel(): { readonly root: HTMLElement; update(alarms: readonly AlarmView[]): void } {
  const root = h('section', { class: 'alarms', 'data-testid': 'alarms', 'aria-live': 'assertive' });
  const heard = new Set<string>();
  let first = true;
  const update = (alarms: readonly AlarmView[]): void => {
    const active = alarms.filter((a) => a.clearedAt === null);
    root.classList.toggle('alarms-none', active.length === 0);
    if (active.length === 0) {
      replace(root, h('div', { class: 'alarm alarm-ok', 'data-testid': 'alarm-none' }, h('span', { class: 'alarm-icon' }, '✓'), t('alarm.none')));
    } else {
      replace(root, ...active.map((a) => {
        const level = a.level === 'stop' ? 'stop' : 'warning';
        return h('div', { class: `alarm alarm-${level}`, 'data-testid': 'alarm', 'data-kind': a.kind, role: 'alert' },
          h('div', { class: 'alarm-head' },
            h('span', { class: 'alarm-icon', 'aria-hidden': 'true' }, level === 'stop' ? '■' : '▲'),
            h('span', { class: 'alarm-level' }, t(`alarm.level.${level}`)),
            h('span', { class: 'alarm-message' }, tOr(`alarm.${a.kind}.message`, a.message)),
            h('span', { class: 'alarm-time' }, formatTime(a.raisedAt), a.repeats > 1 ? ` ×${a.repeats}` : ''),
          ),
          h('div', { class: 'alarm-action' }, h('strong', {}, t('alarm.next')), ' ', tOr(`alarm.${a.kind}.action`, a.action)),
        );
      }));
    }
    // Beep for alarms raised since the last update (not for those already showing when the screen opened).
    const fresh = active.filter((a) => !heard.has(a.id));
    for (const a of active) heard.add(a.id);
    if (!first && fresh.length > 0) beep(fresh.some((a) => a.level === 'stop') ? 'stop' : 'warning');
    first = false;
  };
  update([]);
  first = true;
  return { root, update };
}
