import { Module } from '@nestjs/common';
import { AdminKeyGuard, SiteKeyGuard } from '../auth/auth.guards';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { SiteRepository } from './site.repository';

@Module({
  controllers: [DirectoryController],
  providers: [SiteRepository, DirectoryService, AdminKeyGuard, SiteKeyGuard],
  exports: [SiteRepository, DirectoryService, SiteKeyGuard],
})
export class DirectoryModule {}
