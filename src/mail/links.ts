/**
 * Where the links in emails point. Always derived from GATEHOUSE_PUBLIC_URL, never from
 * a request's Host or X-Forwarded-Host: whoever sends the request that triggers a mail
 * must not be able to make the link point at their own server (and harvest the token).
 * The pages live under the pool's OpenID issuer path, where the hosted pages are mounted.
 */
function poolPage(publicUrl: string, poolId: string, page: string, token: string): string {
  const url = new URL(`${publicUrl.replace(/\/+$/, '')}/oidc/${encodeURIComponent(poolId)}/${page}`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The reset-password page: `<public URL>/oidc/<poolId>/reset-password?token=…` */
export const resetLinkUrl = (publicUrl: string, poolId: string, token: string): string =>
  poolPage(publicUrl, poolId, 'reset-password', token);

/** The verify-email page: `<public URL>/oidc/<poolId>/verify-email?token=…` */
export const verificationLinkUrl = (publicUrl: string, poolId: string, token: string): string =>
  poolPage(publicUrl, poolId, 'verify-email', token);
