import { Dataset } from '../sim/data/dataset';
import { ByteWriter } from '../sim/data/byte-writer';
import { buildRecordColumns } from '../lib/schema/columns';
import { createSpoolEncoder, jsonString, spoolKeys } from '../lib/schema/spool-row';
import type { HubSpotRecord } from '../lib/hubspot/types';
const N = 50000;
const store = new Dataset({ seed: 42, scale: N }).store('contacts')!;
const props = store.properties.list.slice(0, 45).map((_, p) => p);
const columns = buildRecordColumns(store.properties.list.slice(0, 45).map((p) => p.def));
const pages: HubSpotRecord[][] = [];
const buf = Buffer.allocUnsafe(1 << 20);
for (let s = 0; s < N; s += 100) {
  const out = new ByteWriter(buf); out.ascii('[');
  for (let i = s; i < s + 100; i++) { if (i > s) out.ascii(','); store.writeRecordJson(out, i, props); }
  out.ascii(']'); pages.push(JSON.parse(out.toString()));
}
const a = createSpoolEncoder(columns);
// variant: for-in + positional cache
function variant() {
  const ck = spoolKeys(columns);
  const keyByName = new Map<string, string>();
  for (const [c, k] of ck) if (c.property) keyByName.set(c.property.name, `,${JSON.stringify(k)}:`);
  const base = a;
  let names: string[] = []; let keys: (string | undefined)[] = [];
  return (record: HubSpotRecord) => {
    // leading part via base on a record without properties
    let line = base({ ...record, properties: {} } as HubSpotRecord).slice(0, -1);
    const p = record.properties;
    let i = 0;
    for (const name in p) {
      const raw = p[name];
      let key: string | undefined;
      if (names[i] === name) key = keys[i];
      else { names[i] = name; key = keys[i] = keyByName.get(name); }
      i++;
      if (raw === null || raw === undefined || key === undefined) continue;
      line += key + jsonString(typeof raw === 'string' ? raw : String(raw));
    }
    return line + '}';
  };
}
const b = variant();
for (const page of pages.slice(0, 3)) for (const r of page) if (a(r) !== b(r)) { console.log('MISMATCH', a(r), b(r)); process.exit(1); }
for (let round = 0; round < 3; round++) for (const [name, enc] of [['current', a], ['variant', b]] as const) {
  const t = process.hrtime.bigint(); let n = 0;
  for (const page of pages) for (const r of page) n += enc(r).length;
  console.log(name, (Number(process.hrtime.bigint() - t) / 1e6).toFixed(0), 'ms', n);
}
