/**
 * The all-null properties block of a page for one property list: `"a":null,"b":null,...` as bytes, with where each
 * value starts and the per-property settings the page writer needs in typed arrays (no object lookups per value).
 */
import type { SimProperty } from './property-catalog';

const NULL_LENGTH = 'null'.length;

export interface NullTemplate {
  readonly props: readonly number[];
  readonly bytes: Buffer;
  /** Where the value of the k-th listed property starts in `bytes`. */
  readonly valueStarts: Int32Array;
  /** Property index of the k-th listed property. */
  readonly propIndex: Int32Array;
  /** Fill per mille of the k-th listed property; -1 for system properties (never generated from the hash). */
  readonly fill: Int32Array;
}

export const NULL_VALUE_LENGTH = NULL_LENGTH;

/** Builds the template of `props` (indexes into `list`); `isSystem(p)` marks server-computed properties. */
export function buildNullTemplate(
  list: readonly SimProperty[],
  props: readonly number[],
  isSystem: (p: number) => boolean,
): NullTemplate {
  const n = props.length;
  const valueStarts = new Int32Array(n);
  const propIndex = new Int32Array(n);
  const fill = new Int32Array(n);
  let text = '';
  for (let k = 0; k < n; k++) {
    const p = props[k];
    text += (k > 0 ? ',' : '') + list[p].jsonKey;
    valueStarts[k] = Buffer.byteLength(text);
    text += 'null';
    propIndex[k] = p;
    fill[k] = isSystem(p) ? -1 : list[p].fill;
  }
  return { props, bytes: Buffer.from(text), valueStarts, propIndex, fill };
}

/** Templates by property list; a page's list array is usually the cached one, so identity hits first. */
export class NullTemplateCache {
  private readonly byKey = new Map<string, NullTemplate>();
  private lastProps?: readonly number[];
  private last?: NullTemplate;

  constructor(
    private readonly list: readonly SimProperty[],
    private readonly isSystem: (p: number) => boolean,
    private readonly size = 16,
  ) {}

  get(props: readonly number[]): NullTemplate {
    if (props === this.lastProps && this.last) return this.last;
    const key = props.join(',');
    let template = this.byKey.get(key);
    if (!template) {
      template = buildNullTemplate(this.list, props, this.isSystem);
      if (this.byKey.size >= this.size) this.byKey.clear();
      this.byKey.set(key, template);
    }
    this.lastProps = props;
    this.last = template;
    return template;
  }
}
