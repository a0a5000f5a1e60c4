export * from './division-directory';
