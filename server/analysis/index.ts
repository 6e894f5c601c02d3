export * from './comparison.js';
export * from './gap-report.js';
export * from './statistics.js';
