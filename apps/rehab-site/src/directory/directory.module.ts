import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { SiteRepository } from './site.repository';

@Module({
  controllers: [DirectoryController],
  providers: [SiteRepository, DirectoryService],
  exports: [SiteRepository, DirectoryService],
})
export class DirectoryModule {}
