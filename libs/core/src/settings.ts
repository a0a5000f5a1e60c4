import { FactoryProvider } from '@nestjs/common';

/**
 * The provider of a service's own settings (`config/settings.module.ts`): read and validated from the
 * environment when the app boots, with a test's overrides on top.
 */
export function settingsProvider<T extends object>(
  token: symbol,
  load: () => T,
  overrides: Partial<T> = {},
): FactoryProvider<T> {
  return { provide: token, useFactory: (): T => ({ ...load(), ...overrides }) };
}
