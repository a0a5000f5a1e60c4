export * from './database-definition';
export * from './data-source';
export * from './actor';
export * from './transaction-host';
export * from './row-security';
export * from './persistence.module';
export * from './runtime-role.migration';
export * from './statement-cache';
