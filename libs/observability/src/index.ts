export * from './redaction';
export * from './logging';
export * from './metrics';
