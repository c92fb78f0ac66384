export * from './progress.module';
export * from './progress.service';
export * from './convergence.service';
export * from './progress.types';
