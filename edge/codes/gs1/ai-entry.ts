/**
 * One GS1 Application Identifier as described by the GS1 Barcode Syntax Dictionary. The table of these is
 * generated (`ai-table.generated.ts`, by `scripts/gen-gs1-table.ts`), never typed by hand.
 */

/** Character set of a component: N digits, X = CSET 82, Y = CSET 39, Z = CSET 64 (base64url). */
export type AiCharset = 'N' | 'X' | 'Y' | 'Z';

export interface AiComponent {
  readonly cset: AiCharset;
  /** Length bounds in characters; equal for a fixed-length component. */
  readonly min: number;
  readonly max: number;
  /** `[…]` in the dictionary: may be absent once the data is exhausted. */
  readonly optional: boolean;
  /** Names of the GS1 syntax-test ("linter") procedures applied to this component, e.g. `csum`, `yymmd0`. */
  readonly linters: readonly string[];
}

export interface AiEntry {
  readonly ai: string;
  readonly title: string;
  /** No `*` flag: in raw data an FNC1 (GS) must follow this AI's value unless it is the last element. */
  readonly fnc1Required: boolean;
  /** `?` flag: may appear as a query attribute of a GS1 Digital Link URI. */
  readonly dlDataAttribute: boolean;
  /** Total length is fixed (minLength = maxLength). */
  readonly fixedLength: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  readonly components: readonly AiComponent[];
  /** `req=`: each inner list is one requirement; it is met by any one alternative (AIs joined by `+`). */
  readonly req: readonly (readonly (readonly string[])[])[];
  /** `ex=`: AIs or patterns (`310n`, `31nn`) this AI must not appear with. */
  readonly ex: readonly string[];
  /** `dlpkey`: null if not a Digital Link primary key; else the alternative ordered qualifier sequences. */
  readonly dlPrimaryKey: readonly (readonly string[])[] | null;
}
