import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { SiteRepository } from './site.repository';

@Module({
  imports: [DivisionsModule],
  controllers: [DirectoryController],
  providers: [SiteRepository, DirectoryService],
  exports: [SiteRepository, DirectoryService],
})
export class DirectoryModule {}
