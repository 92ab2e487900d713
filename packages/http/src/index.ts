export * from './asset';
export * from './auth';
export * from './csv';
export * from './errors';
export * from './handler';
export * from './request';
