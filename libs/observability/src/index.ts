export * from './redaction';
export * from './logging';
export * from './metrics';
export * from './retention-metrics';
