export * from './service.module';
export * from './bootstrap';
export * from './health.controller';
export * from './migration-cli';
export * from './dead-letter-admin.controller';
export * from './cursor-page.query';
export * from './openapi';
export * from './legacy-routes';
