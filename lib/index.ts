export * from './cluster-oidc-provider';
