// A real OpenID Connect provider (oidc-provider, a certified implementation) for Press's login tests.
// Started and stopped by the tests themselves (tests/Press.EndToEnd.Tests/Identity/OidcProvider.cs); binds 127.0.0.1 only.
//
//   node provider.mjs   env: OIDC_PORT (49716), OIDC_REDIRECT_URIS (comma-separated Press /signin-oidc URLs),
//                            OIDC_CLIENT_ID (press-manager), OIDC_CLIENT_SECRET (required), OIDC_KEY_FILE (optional)
//
// People: the dev login page accepts any name with any password. A name ending in -admin, -operator or -viewer is
// given that realm role (Keycloak's shape: realm_access.roles, in the ID token through the `roles` scope); any other
// name gets no role. Bearer JWTs for the API: client_credentials of clients api-admin, api-operator, api-viewer,
// api-norole (secret = OIDC_CLIENT_SECRET) give access tokens for audience OIDC_CLIENT_ID with those roles, subject =
// the client id; api-short-viewer's tokens live 2 seconds; resource=urn:other:api gives a token for audience other-api.
// With OIDC_INITIAL_ACCESS_TOKEN set, dynamic client registration (RFC 7591, that initial access token required) and
// its management (RFC 7592: read and delete with the registration access token) are on, as Press's per-site SSO uses them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const PORT = Number(process.env.OIDC_PORT ?? 49716);
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = process.env.OIDC_CLIENT_ID ?? 'press-manager';
const SECRET = process.env.OIDC_CLIENT_SECRET;
if (!SECRET) throw new Error('set OIDC_CLIENT_SECRET');
const REDIRECTS = (process.env.OIDC_REDIRECT_URIS ?? '').split(',').filter(Boolean);
const INITIAL_ACCESS_TOKEN = process.env.OIDC_INITIAL_ACCESS_TOKEN || undefined;
const ROLES = ['admin', 'operator', 'viewer'];
// oidc-provider names resource servers by URI; the token's audience is still the Press client id (Keycloak's shape).
const API = 'urn:press:api';
// Another resource server: its tokens are for audience other-api, which Press must refuse.
const OTHER_API = 'urn:other:api';

// The signing key: kept in OIDC_KEY_FILE across restarts when given (a restarted IdP keeps its keys, as Keycloak does).
function signingKey() {
  const file = process.env.OIDC_KEY_FILE;
  if (file && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
  if (file) fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

const roleOf = (name) => ROLES.find((r) => String(name).endsWith(`-${r}`));
const apiClient = (id) => ({
  client_id: id, client_secret: SECRET, grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic', scope: 'api',
});

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: REDIRECTS,
      post_logout_redirect_uris: REDIRECTS.map((u) => u.replace(/signin-oidc$/, 'signout-callback-oidc')),
      token_endpoint_auth_method: 'client_secret_post',
    },
    ...['api-admin', 'api-operator', 'api-viewer', 'api-norole', 'api-short-viewer'].map(apiClient),
  ],
  jwks: { keys: [signingKey()] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'profile', 'email', 'roles', 'api'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], roles: ['realm_access'] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        const role = roleOf(sub);
        return {
          sub, name: `Test ${sub}`, preferred_username: sub, email: `${sub}@example.test`, email_verified: true,
          realm_access: { roles: role ? [role, 'offline_access'] : ['offline_access'] },
        };
      },
    };
  },
  pkce: { required: () => true },
  conformIdTokenClaims: false, // the scopes' claims (realm_access) go into the ID token, as Keycloak's mapper does
  extraTokenClaims: async (ctx, token) => {
    const role = roleOf(token.clientId?.replace(/^api-/, 'x-'));
    return token.kind === 'ClientCredentials' ? { realm_access: { roles: role ? [role] : [] } } : undefined;
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    registration: { enabled: Boolean(INITIAL_ACCESS_TOKEN), initialAccessToken: INITIAL_ACCESS_TOKEN ?? false },
    registrationManagement: { enabled: Boolean(INITIAL_ACCESS_TOKEN) },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx) => (ctx.oidc.params?.grant_type === 'client_credentials' ? API : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => {
        if (resource !== API && resource !== OTHER_API) throw new Error(`unknown resource ${resource}`);
        return {
          scope: 'api', audience: resource === API ? CLIENT_ID : 'other-api', accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: { AccessToken: 600, ClientCredentials: (ctx, token, client) => (client.clientId === 'api-short-viewer' ? 2 : 600), IdToken: 600, Grant: 3600, Session: 3600, Interaction: 600, AuthorizationCode: 60 },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// Its own listen() binds every interface: bind loopback ourselves.
http.createServer(provider.callback()).listen(PORT, '127.0.0.1', () => console.log(`oidc-provider listening on ${ISSUER}`));
