export * from './domain.exception';
export * from './config';
export * from './problem-details';
export * from './problem-details.filter';
export * from './validation.pipe';
export * from './input-limits';
export * from './periodic-task';
