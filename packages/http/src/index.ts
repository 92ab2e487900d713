export * from './auth';
export * from './errors';
export * from './handler';
export * from './request';
export * from './csv';
