export * from './division-directory';
export * from './divisions.module';
export * from './address-resolver';
