// amazon-cognito-identity-js against userpool, start to finish, in one process:
//   node identity_js.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// prints one JSON line: {"steps": {signUp, confirmRegistration, authenticateUser, refreshSession, getUserAttributes,
// globalSignOut}, "exchanges": [...]}; a failed step is {"error": {name, message}}.
//
// In Node the library keeps its session in its own MemoryStorage and calls the global fetch: nothing is shimmed.
import {claims, latestCode, main, run} from './lib.mjs';
import identity from 'amazon-cognito-identity-js';

const {AuthenticationDetails, CognitoRefreshToken, CognitoUser, CognitoUserAttribute, CognitoUserPool} = identity;

/** A node-style callback API as a promise. */
function call(fn) {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

/** The raw tokens of a CognitoUserSession and the claims pytest compares. */
function tokensOf(session) {
  const access = session.getAccessToken().getJwtToken();
  const id = session.getIdToken().getJwtToken();
  return {accessToken: access, idToken: id, access: pick(claims(access)), id: pick(claims(id))};
}

function pick({sub, iat, jti, token_use, client_id, aud, iss}) {
  return {sub, iat, jti, token_use, client_id, aud, iss};
}

main(async (args) => {
  const {url, userPoolId, clientId, username, password, email} = args;
  const pool = new CognitoUserPool({UserPoolId: userPoolId, ClientId: clientId, endpoint: url});
  const user = new CognitoUser({Username: username, Pool: pool});
  let session;
  let refreshToken;
  return run({
    signUp: async () => {
      const attributes = [new CognitoUserAttribute({Name: 'email', Value: email})];
      const result = await call((cb) => pool.signUp(username, password, attributes, null, cb));
      return {userConfirmed: result.userConfirmed, userSub: result.userSub, codeDeliveryDetails: result.codeDeliveryDetails};
    },
    confirmRegistration: async () => {
      const code = await latestCode(args);
      return await call((cb) => user.confirmRegistration(code, true, cb));
    },
    // The library's default flow: USER_SRP_AUTH.
    authenticateUser: async () => {
      const details = new AuthenticationDetails({Username: username, Password: password});
      session = await new Promise((resolve, reject) =>
        user.authenticateUser(details, {
          onSuccess: resolve,
          onFailure: reject,
          newPasswordRequired: () => reject(new Error('unexpected challenge: NEW_PASSWORD_REQUIRED')),
          mfaRequired: () => reject(new Error('unexpected challenge: SMS_MFA')),
          totpRequired: () => reject(new Error('unexpected challenge: SOFTWARE_TOKEN_MFA')),
          customChallenge: () => reject(new Error('unexpected challenge: CUSTOM_CHALLENGE')),
        }),
      );
      refreshToken = session.getRefreshToken().getToken();
      // The refresh token too: pytest checks through boto3 that the global sign-out revoked it. (Not here: the
      // library retries every failed InitiateAuth with backoff for several seconds.)
      return {authenticationFlowType: user.getAuthenticationFlowType(), refreshToken, ...tokensOf(session)};
    },
    // InitiateAuth REFRESH_TOKEN_AUTH.
    refreshSession: async () => {
      session = await call((cb) => user.refreshSession(new CognitoRefreshToken({RefreshToken: refreshToken}), cb));
      return tokensOf(session);
    },
    getUserAttributes: async () => {
      const attributes = await call((cb) => user.getUserAttributes(cb));
      return Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()]));
    },
    globalSignOut: async () =>
      await new Promise((resolve, reject) => user.globalSignOut({onSuccess: resolve, onFailure: reject})),
  });
});
