export * from './comparison.js';
export * from './drivers.js';
export * from './gap-report.js';
export * from './reliability.js';
export * from './statistics.js';
