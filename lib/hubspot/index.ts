/** Public API of the HubSpot client. */
export * from './errors';
export * from './service-key';
export * from './rate-budget';
export * from './scheduler';
export { idSpan, isRecordId, maxId, midId, nextId } from './record-ids';
export * from './client';
export * from './list-records';
export * from './search-records';
export * from './batch-read';
export * from './metadata';
export * from './associations';
export * from './access';
export { chunkProperties, completeRecord, hasResults, hasSearchTotal } from './property-chunks';
export { parseErrorBody, extractScopes } from './error-body';
export * from './types';
export * from './object-types';
export * from './api-version';
