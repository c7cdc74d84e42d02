// Every table of the installation, in one list: drizzle-kit generates the migrations from it.
export * from './access/schema.js';
export * from './advisories/schema.js';
export * from './assets/schema.js';
export * from './audit/schema.js';
export * from './bulletins/schema.js';
export * from './elections/schema.js';
export * from './incidents/schema.js';
export * from './intel/schema.js';
export * from './logscans/schema.js';
export * from './monitoring/schema.js';
export * from './notifications/schema.js';
export * from './platform/events/schema.js';
export * from './platform/jobs/schema.js';
export * from './scanning/schema.js';
export * from './vulns/schema.js';
export * from './rla/schema.js';
export { tlpEnum } from './platform/db/columns.js';
