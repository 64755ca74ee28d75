import { ALPHABETS } from './alphabet.ts';
import { iso7064CheckTable, checkSystemFor } from './check-char.ts';
import { InvalidProfileError } from './errors.ts';
import type { CodeProfile, RandomProfile, SgtinProfile, SsccProfile } from './profile.ts';
import { makeLayout, type RecordLayout } from './record-layout.ts';
import { ssccLayout } from './sscc.ts';
import { sgtinLayout } from './sgtin.ts';
import { validateProfile } from './validate-profile.ts';

function randomLayout(profile: RandomProfile): RecordLayout {
  const alphabet = ALPHABETS[profile.alphabet];
  const system = profile.check ? checkSystemFor(alphabet) : null;
  return makeLayout(profile.prefix, alphabet, profile.length, system ? iso7064CheckTable(system, alphabet) : null);
}

type LayoutOf = { [S in CodeProfile['scheme']]: (profile: Extract<CodeProfile, { scheme: S }>) => RecordLayout };

const LAYOUTS: LayoutOf = {
  random: randomLayout,
  sscc: (profile: SsccProfile) => ssccLayout(profile),
  sgtin: (profile: SgtinProfile) => sgtinLayout(profile),
};

/** The layout of a profile; throws InvalidProfileError (listing every bad field) for an invalid profile. */
export function profileLayout(profile: CodeProfile): RecordLayout {
  const issues = validateProfile(profile);
  if (issues.length > 0) throw new InvalidProfileError(issues);
  return (LAYOUTS[profile.scheme] as (p: CodeProfile) => RecordLayout)(profile);
}
