import { SERVICES } from '@app/contracts';
import { runMigrationCli } from '@app/platform';
import { DATABASE } from './database';

void runMigrationCli(SERVICES.registration, DATABASE);
