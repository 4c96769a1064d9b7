// A real OpenID provider for verbund's web sign-in tests (tests/oidc/conftest.py starts it).
//
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… PUBLIC_CLIENT_ID=… REDIRECT_URIS=a,b node provider.mjs
//
// Issuer http://127.0.0.1:PORT, a confidential client (client_secret_basic) and a public one
// (no secret), PKCE required for both, a fresh RSA signing key per start, two accounts, the
// claims in the ID token, and oidc-provider's own development login and consent pages (a login
// form that takes the account id and any password, then a consent form).
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const redirectUris = (process.env.REDIRECT_URIS ?? '').split(',').filter(Boolean);
if (!port || redirectUris.length === 0) {
  console.error('PORT und REDIRECT_URIS fehlen');
  process.exit(2);
}

const accounts = {
  'fm-test': {
    preferred_username: 'fm-test',
    name: 'Frieda Muster',
    realm_access: { roles: ['offline_access', 'verbund-caseworker'] },
    organization: 'jobcenter-stuttgart',
  },
  'ohne-rolle': {
    preferred_username: 'ohne-rolle',
    name: 'Otto Ohnerolle',
    realm_access: { roles: ['offline_access', 'uma_authorization'] },
    organization: 'jobcenter-stuttgart',
  },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-1', use: 'sig', alg: 'RS256' };

const client = {
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      ...client,
      client_id: process.env.CLIENT_ID ?? 'verbund',
      client_secret: process.env.CLIENT_SECRET ?? 'geheim',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      ...client,
      client_id: process.env.PUBLIC_CLIENT_ID ?? 'verbund-oeffentlich',
      token_endpoint_auth_method: 'none',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['nur-fuer-tests'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'realm_access', 'organization'],
  },
  // Claims of the requested scopes go into the ID token (like Keycloak's mappers), not only
  // into the userinfo answer.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider bereit auf http://127.0.0.1:${port}`);
});
