export * from './progress.module';
export * from './progress.service';
export * from './progress.types';
