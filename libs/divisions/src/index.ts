export * from './division-directory';
export * from './divisions.module';
