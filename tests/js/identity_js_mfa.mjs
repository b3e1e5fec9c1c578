// amazon-cognito-identity-js with TOTP MFA against userpool, in one process: a user whose authenticator pytest
// registered (its secret in the input's "totpSecret") signs in with USER_SRP_AUTH, is asked for its code
// (`totpRequired`) and answers it with `sendMFACode(code, callbacks, 'SOFTWARE_TOKEN_MFA')`:
//   node identity_js_mfa.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ...,
//   "email": ..., "totpSecret": ...}'
// prints one JSON line: {"steps": {authenticateUser, sendMFACode}, "exchanges": [...]}.
import {claims, main, run, totp} from './lib.mjs';
import identity from 'amazon-cognito-identity-js';

const {AuthenticationDetails, CognitoUser, CognitoUserPool} = identity;

main(async (args) => {
  const {url, userPoolId, clientId, username, password, totpSecret} = args;
  const pool = new CognitoUserPool({UserPoolId: userPoolId, ClientId: clientId, endpoint: url});
  const user = new CognitoUser({Username: username, Pool: pool});
  const outcome = (resolve, reject, label) => ({
    onSuccess: (session) => resolve({label, session}),
    onFailure: reject,
    newPasswordRequired: () => reject(new Error('unexpected challenge: NEW_PASSWORD_REQUIRED')),
    mfaRequired: (name) => resolve({label: 'mfaRequired', name}),
    totpRequired: (name) => resolve({label: 'totpRequired', name}),
    selectMFAType: () => reject(new Error('unexpected challenge: SELECT_MFA_TYPE')),
    mfaSetup: () => reject(new Error('unexpected challenge: MFA_SETUP')),
  });
  return run({
    authenticateUser: async () => {
      const details = new AuthenticationDetails({Username: username, Password: password});
      const {label, name} = await new Promise((resolve, reject) =>
        user.authenticateUser(details, outcome(resolve, reject, 'onSuccess')),
      );
      return {callback: label, challengeName: name ?? null, authenticationFlowType: user.getAuthenticationFlowType()};
    },
    // One step ahead: pytest used the current step's code when it registered the authenticator.
    sendMFACode: async () => {
      const {label, session} = await new Promise((resolve, reject) =>
        user.sendMFACode(totp(totpSecret, 1), outcome(resolve, reject, 'onSuccess'), 'SOFTWARE_TOKEN_MFA'),
      );
      const access = session.getAccessToken().getJwtToken();
      return {callback: label, accessToken: access, username: claims(access).username};
    },
  });
});
