import { Module } from '@nestjs/common';
import { DivisionDirectory } from './division-directory';

/**
 * Provides the DivisionDirectory, loaded once per process (about half a second, at boot rather than on the
 * first request). Import it in each feature module that injects the directory.
 */
@Module({
  providers: [{ provide: DivisionDirectory, useFactory: () => DivisionDirectory.load() }],
  exports: [DivisionDirectory],
})
export class DivisionsModule {}
