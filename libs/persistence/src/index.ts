export * from './database-definition';
export * from './data-source';
export * from './transaction-host';
export * from './persistence.module';
