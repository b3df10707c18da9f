// The kinds of field of the app state schema (schema.ts): what each accepts, with its
// label, doc, group and default. The engine's fields arrive in the engine's own table;
// these types are the page's form of them plus the page-only kinds (lists, runs).

import type { AppState, RunSpec } from './schema';
import type { SweepSpec } from './sweep';

export type Group = 'data' | 'model' | 'optim' | 'measure' | 'run' | 'view';

interface Base<T> {
  label: string;
  doc: string;
  group: Group;
  default: T;
  /** true: an engine field (sent to the engine under the same name). */
  engine: boolean;
  /** Changeable while a run trains (η, β). */
  live?: boolean;
  /** Shown in the "advanced" part of the controls. */
  advanced?: boolean;
  /** Datasets for which this field matters (data fields only); absent = all. */
  datasets?: readonly string[];
  unit?: string;
}
export interface IntField extends Base<number> {
  kind: 'int';
  min: number;
  max: number;
}
export interface RealField extends Base<number> {
  kind: 'real';
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  /** Range of a slider (inside [min, max]); absent = [min, max]. */
  uiMin?: number;
  uiMax?: number;
  /** Controls use a logarithmic slider. */
  log?: boolean;
  /** The engine's per-optimiser defaults (rmsprop's β₂ 0.99), where they differ from `default`. */
  optDefaults?: Readonly<Record<string, number>>;
}
export interface EnumField<T extends string = string> extends Base<T> {
  kind: 'enum';
  values: readonly T[];
}
export interface BoolField extends Base<boolean> {
  kind: 'bool';
}
export interface IntListField extends Base<number[]> {
  kind: 'intlist';
  min: number;
  max: number;
  minLen: number;
  maxLen: number;
}
/** Free text whose grammar the engine checks (the η schedule). */
export interface ScheduleField extends Base<string> {
  kind: 'schedule';
}
export interface EnumListField<T extends string = string> extends Base<T[]> {
  kind: 'enumlist';
  values: readonly T[];
  minLen: number;
}
export interface RunListField extends Base<RunSpec[]> {
  kind: 'runlist';
  maxLen: number;
}
/** A step-size sweep lo:hi:n, or null (no sweep). */
export interface SweepField extends Base<SweepSpec | null> {
  kind: 'sweep';
}
export type Field =
  | IntField | RealField | EnumField | BoolField | IntListField | ScheduleField | EnumListField | RunListField | SweepField;

// Non-distributive ([T] extends [...]) so a union of string literals maps to ONE EnumField.
type FieldFor<T> = [T] extends [boolean]
  ? BoolField
  : [T] extends [number]
    ? IntField | RealField
    : [T] extends [RunSpec[]]
      ? RunListField
      : [T] extends [number[]]
        ? IntListField
        : [T] extends [(infer E extends string)[]]
          ? EnumListField<E>
          : [string] extends [T]
            ? ScheduleField
            : [T] extends [string]
              ? EnumField<T>
              : [T] extends [SweepSpec | null]
                ? SweepField
                : never;

export type Schema = { [K in keyof AppState]: FieldFor<AppState[K]> };
