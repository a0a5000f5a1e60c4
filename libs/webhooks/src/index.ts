export * from './signature';
export * from './webhook.migration';
export * from './webhook.repository';
export * from './webhook.settings';
export * from './webhook.worker';
export * from './webhooks.module';
