/** Checks of run-time settings (latency, search lag, rate limits) against SETTING_LIMITS, with errors naming the value. */
import { SETTING_LIMITS, type NumericSetting } from './settings';

/** A setting out of range or of the wrong kind; the admin API answers it with a 400. */
export class SimulatorSettingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorSettingError';
  }
}

/** `a whole number from 1 to 86400000`, `a number from 0 to 1`. */
export function describeSetting(name: NumericSetting): string {
  const { min, max, integer } = SETTING_LIMITS[name];
  return `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
}

/** `value` when it fits the setting's limits, else a SimulatorSettingError naming `group.name` (or `name`) and the value. */
export function checkSetting(group: string, name: NumericSetting, value: unknown): number {
  const { min, max, integer } = SETTING_LIMITS[name];
  const fits =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value));
  const label = group ? `${group}.${name}` : name;
  if (!fits) throw new SimulatorSettingError(`${label} must be ${describeSetting(name)}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The settings `input` names, checked, for merging over the current ones. Unknown names are refused (a typo such
 * as `baseMS` would otherwise change nothing, silently); `flags` are boolean settings of the group.
 */
export function readSettings<N extends NumericSetting, F extends string = never>(
  group: string,
  input: unknown,
  names: readonly N[],
  flags: readonly F[] = [],
): Partial<Record<N, number>> & Partial<Record<F, boolean>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SimulatorSettingError(
      `${group} settings must be an object such as {"${names[0]}": 1}, got ${JSON.stringify(input)}`,
    );
  }
  const out: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if ((names as readonly string[]).includes(key)) out[key] = checkSetting(group, key as N, value);
    else if ((flags as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean')
        throw new SimulatorSettingError(`${group}.${key} must be true or false, got ${JSON.stringify(value)}`);
      out[key] = value;
    } else {
      throw new SimulatorSettingError(`Unknown ${group} setting ${key}: use ${[...names, ...flags].join(', ')}`);
    }
  }
  return out as Partial<Record<N, number>> & Partial<Record<F, boolean>>;
}
