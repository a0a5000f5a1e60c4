import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseDefinition } from './database-definition';
import { DataSourceSettings, dataSourceOptions } from './data-source';
import { TransactionHost } from './transaction-host';

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(settings: DataSourceSettings, definition: DatabaseDefinition): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(settings, definition),
          // Ride out a database that is briefly unreachable at boot (a restart, a failover); then fail loudly.
          retryAttempts: 3,
          retryDelay: 1_000,
          manualInitialization: false,
        }),
      ],
      providers: [TransactionHost],
      exports: [TransactionHost, TypeOrmModule],
    };
  }
}
