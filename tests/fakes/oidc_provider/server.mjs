// Test-only OpenID Provider configured like Zitadel, built on the certified `oidc-provider`.
//
// Usage: node server.mjs [port]   (port 0 or absent = ephemeral)
// When ready it prints ONE JSON line on stdout:
//   {"issuer": "...", "port": N, "client_id": "...", "project_id": "...", "org_id": "...",
//    "web_client_id": "...", "web_client_secret": "..."}
//
// Environment (all optional):
//   OIDC_PORT                port when not given as argv[2] (default 0)
//   OIDC_CLIENT_ID           public native client id (default "kleio-desktop")
//   OIDC_PROJECT_ID          Zitadel project id = access-token audience (default "271828182845904523")
//   OIDC_ORG_ID              org id in the roles claim (default "314159265358979323")
//   OIDC_ORG_DOMAIN          org domain in the roles claim (default "kleio.localhost")
//   OIDC_ACCESS_TOKEN_TTL    access-token lifetime in seconds (default 300)
//   OIDC_REFRESH_TOKEN_TTL   refresh-token lifetime in seconds (default 86400)
//   OIDC_STRICT_CONSENT      "1": follow OIDC Core §11 as oidc-provider does (no refresh token
//                            without prompt=consent) instead of emulating Zitadel
//   OIDC_PROMPT_VALUES       space-separated `prompt_values_supported` to publish in discovery
//                            (default: none published, as oidc-provider does)
//   OIDC_WEB_CLIENT_ID       confidential web client id (default "kleio-web")
//   OIDC_WEB_CLIENT_SECRET   its secret (default: random, printed in the ready line)
//   OIDC_WEB_REDIRECT_URIS   space-separated redirect URIs of the web client
//                            (default "http://127.0.0.1:8000/auth/callback")
//   OIDC_WEB_POST_LOGOUT_URIS  space-separated post-logout redirect URIs of the web client
//                            (default "http://127.0.0.1:8000/login")
//
// Like Zitadel: its endpoint paths; JWT access tokens (RS256) with aud = [project id, client id]
// and the claim `urn:zitadel:iam:org:project:roles`; PKCE (S256) required; the scope
// `urn:zitadel:iam:org:project:id:<projectId>:aud` accepted; loopback redirects with any port for
// the native client (RFC 8252 §7.3); offline_access yields a rotating refresh token without the
// caller having to send prompt=consent.
//
// The interaction endpoints are a test-only login: GET /interaction/:uid shows a form (login
// prompt) or grants consent at once (consent prompt); POST /interaction/:uid/login with
// `login=<account id>` signs that account in. No password: never expose this outside tests.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = process.env;
const requestedPort = Number(process.argv[2] ?? env.OIDC_PORT ?? 0);
const clientId = env.OIDC_CLIENT_ID ?? 'kleio-desktop';
const projectId = env.OIDC_PROJECT_ID ?? '271828182845904523';
const orgId = env.OIDC_ORG_ID ?? '314159265358979323';
const orgDomain = env.OIDC_ORG_DOMAIN ?? 'kleio.localhost';
const accessTokenTTL = Number(env.OIDC_ACCESS_TOKEN_TTL ?? 300);
const refreshTokenTTL = Number(env.OIDC_REFRESH_TOKEN_TTL ?? 86400);
const strictConsent = env.OIDC_STRICT_CONSENT === '1';
const promptValues = (env.OIDC_PROMPT_VALUES ?? '').split(' ').filter(Boolean);
const webClientId = env.OIDC_WEB_CLIENT_ID ?? 'kleio-web';
const webClientSecret = env.OIDC_WEB_CLIENT_SECRET || randomBytes(24).toString('hex');
const words = (value, fallback) => (value ?? fallback).split(' ').filter(Boolean);
const webRedirectUris = words(env.OIDC_WEB_REDIRECT_URIS, 'http://127.0.0.1:8000/auth/callback');
const webPostLogoutUris = words(env.OIDC_WEB_POST_LOGOUT_URIS, 'http://127.0.0.1:8000/login');

const ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';
const AUDIENCE_SCOPE = `urn:zitadel:iam:org:project:id:${projectId}:aud`;
// Resource indicator under which the project's API is registered; clients never send it, the
// provider defaults to it, as Zitadel scopes every access token to the project.
const PROJECT_RESOURCE = `urn:kleio:project:${projectId}`;
const AUTHORIZE_PATH = '/oauth/v2/authorize';

function signingJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] };
}

function account(accountId) {
  return {
    accountId,
    async claims() {
      return {
        sub: accountId,
        email: `${accountId}@${orgDomain}`,
        email_verified: true,
        name: accountId,
        preferred_username: accountId,
      };
    },
  };
}

function configuration() {
  return {
    clients: [
      {
        client_id: clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        post_logout_redirect_uris: ['http://127.0.0.1/signed-out'],
      },
      {
        // Zitadel's "Web" application: code flow with PKCE, a secret (client_secret_basic).
        client_id: webClientId,
        client_secret: webClientSecret,
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: webRedirectUris,
        post_logout_redirect_uris: webPostLogoutUris,
      },
    ],
    jwks: signingJwks(),
    discovery: promptValues.length ? { prompt_values_supported: promptValues } : {},
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    scopes: ['openid', 'offline_access', AUDIENCE_SCOPE, ROLES_CLAIM],
    routes: {
      authorization: AUTHORIZE_PATH,
      token: '/oauth/v2/token',
      jwks: '/oauth/v2/keys',
      userinfo: '/oidc/v1/userinfo',
      revocation: '/oauth/v2/revoke',
      end_session: '/oidc/v1/end_session',
      introspection: '/oauth/v2/introspect',
    },
    pkce: { required: () => true },
    findAccount: async (_ctx, sub) => account(sub),
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => PROJECT_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: `${AUDIENCE_SCOPE} ${ROLES_CLAIM}`,
          audience: projectId,
          accessTokenTTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    formats: {
      customizers: {
        // Zitadel lists the project and the client in `aud`.
        jwt: async (_ctx, token, jwt) => {
          jwt.payload.aud = [projectId, token.clientId];
        },
      },
    },
    extraTokenClaims: async () => ({ [ROLES_CLAIM]: { user: { [orgId]: orgDomain } } }),
    issueRefreshToken: async (_ctx, client, source) =>
      client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access'),
    expiresWithSession: async () => false,
    // Zitadel rotates every refresh token on use, confidential clients' too.
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
      RefreshToken: refreshTokenTTL,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(out);
    },
  };
}

// oidc-provider follows OIDC Core §11 and drops offline_access unless prompt=consent is sent;
// Zitadel honours offline_access as is. Emulate that by implying the consent prompt.
function zitadelOfflineAccess() {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === AUTHORIZE_PATH) {
      const query = { ...ctx.query };
      const scopes = String(query.scope ?? '').split(' ');
      if (scopes.includes('offline_access') && query.prompt === undefined) {
        query.prompt = 'consent';
        ctx.query = query;
      }
    }
    await next();
  };
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function grantConsent(provider, req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'interaction mismatch', 'text/plain');
  if (req.method === 'GET' && action === undefined) {
    if (details.prompt.name === 'consent') return grantConsent(provider, req, res, details);
    return send(
      res,
      200,
      `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${uid}/login">` +
        '<input name="login" autofocus><button>Sign in</button></form>',
    );
  }
  if (req.method === 'POST' && action === 'login') {
    const login = (await readForm(req)).get('login');
    if (!login) return send(res, 400, 'login is required', 'text/plain');
    const result = { login: { accountId: login } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  return send(res, 405, 'method not allowed', 'text/plain');
}

const server = createServer();
server.listen(requestedPort, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  if (!strictConsent) provider.use(zitadelOfflineAccess());
  const oidc = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?(?:\?.*)?$/.exec(req.url);
    if (!match) return oidc(req, res);
    return interaction(provider, req, res, match[1], match[2]).catch((err) => {
      process.stderr.write(`interaction failed: ${err.stack ?? err}\n`);
      if (!res.headersSent) send(res, 400, String(err.message ?? err), 'text/plain');
    });
  });
  process.stdout.write(
    `${JSON.stringify({
      issuer,
      port,
      client_id: clientId,
      project_id: projectId,
      org_id: orgId,
      web_client_id: webClientId,
      web_client_secret: webClientSecret,
    })}\n`,
  );
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
