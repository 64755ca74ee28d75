/**
 * Alarm sounds made with WebAudio (nothing downloaded): a short two-tone beep for a warning, three harsher beeps
 * for a stop. Browsers start audio only after a user gesture; the login tap or scan counts as one, and `unlock`
 * is called from it.
 */
let ctx: AudioContext | null = null;
let played = 0;

export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
  }
}

export type BeepKind = 'warning' | 'stop' | 'reject';

const PATTERNS: Readonly<Record<BeepKind, readonly { readonly hz: number; readonly ms: number; readonly wave: OscillatorType }[]>> = {
  reject: [{ hz: 660, ms: 120, wave: 'square' }],
  warning: [{ hz: 880, ms: 180, wave: 'sine' }, { hz: 660, ms: 180, wave: 'sine' }],
  stop: [{ hz: 1000, ms: 200, wave: 'sawtooth' }, { hz: 1000, ms: 200, wave: 'sawtooth' }, { hz: 1000, ms: 200, wave: 'sawtooth' }],
};

export function beep(kind: BeepKind): void {
  played += 1;
  document.documentElement.dataset['beeps'] = String(played);
  if (ctx === null) return;
  let t = ctx.currentTime;
  for (const tone of PATTERNS[kind]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = tone.wave;
    osc.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0.25, t);
    gain.gain.exponentialRampToValueAtTime(0.001, t + tone.ms / 1000);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + tone.ms / 1000);
    t += tone.ms / 1000 + 0.08;
  }
}
