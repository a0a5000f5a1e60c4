import { Module } from '@nestjs/common';
import { DeskPageController } from './desk-page.controller';

@Module({ controllers: [DeskPageController] })
export class DeskModule {}
