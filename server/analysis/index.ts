export * from './comparison.js';
export * from './confidentiality.js';
export * from './drivers.js';
export * from './gap-report.js';
export * from './reliability.js';
export * from './statistics.js';
