/** How an application of ours looks to oidc-provider as client metadata. */
import type { ClientMetadata } from 'oidc-provider';
import type { StoredApplication } from '../store/applications.js';

export function clientMetadata(application: StoredApplication): ClientMetadata {
  const common = {
    client_id: application.clientId,
    client_name: application.name,
    id_token_signed_response_alg: application.idTokenSigningAlg,
  };
  switch (application.type) {
    case 'm2m':
      return {
        ...common,
        // The stored value is the secret's hash: compareClientSecret is overridden to check
        // a presented secret against it (see provider.ts), so the plain secret is never kept.
        client_secret: application.secretHash ?? undefined,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      };
    case 'web':
      return {
        ...common,
        client_secret: application.secretHash ?? undefined,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: application.redirectUris,
        post_logout_redirect_uris: application.postLogoutRedirectUris,
        application_type: 'web',
      };
    case 'spa':
    case 'native':
      return {
        ...common,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: application.redirectUris,
        post_logout_redirect_uris: application.postLogoutRedirectUris,
        application_type: application.type === 'native' ? 'native' : 'web',
      };
  }
}
