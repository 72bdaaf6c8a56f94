/** An application (OAuth client) of a user pool. */
export const APPLICATION_TYPES = ['web', 'spa', 'native', 'm2m'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

export const ID_TOKEN_SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type IdTokenSigningAlg = (typeof ID_TOKEN_SIGNING_ALGS)[number];

export interface Application {
  id: string;
  poolId: string;
  clientId: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  idTokenSigningAlg: IdTokenSigningAlg;
  createdAt: string;
  updatedAt: string;
}

/** Web apps and machine-to-machine clients keep a secret; browser and mobile apps cannot. */
export const isConfidential = (type: ApplicationType): boolean => type === 'web' || type === 'm2m';
