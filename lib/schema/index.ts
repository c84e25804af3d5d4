/** Property definitions -> columns, records -> rows. */
export * from './columns';
export * from './type-map';
export * from './parse-value';
export * from './spool-row';
export * from './parse-sql';
export * from './write-record-part';
export * from './pseudonymize';
