export * from './agreements.module';
export * from './server-signing-key.service';
export * from './key-fingerprint';
export * from './agreement-markdown';
export * from './agreement-pdf';
