export * from './cluster-oidc-provider';
export * from './identity-mode';
export * from './irsa-cluster';
export * from './irsa-role';
export * from './irsa-service-account';
export * from './manifest-delivery';
export * from './service-account-manifest';
export * from './service-account-subject';
