import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { ProviderRepository } from './provider.repository';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';

@Module({
  imports: [DivisionsModule],
  controllers: [ProvidersController],
  providers: [ProviderRepository, ProvidersService],
  exports: [ProviderRepository],
})
export class ProvidersModule {}
