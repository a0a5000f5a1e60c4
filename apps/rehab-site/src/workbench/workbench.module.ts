import { Module } from '@nestjs/common';
import { WorkbenchPageController } from './workbench-page.controller';

@Module({ controllers: [WorkbenchPageController] })
export class WorkbenchModule {}
