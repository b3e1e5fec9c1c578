// amazon-cognito-identity-js's CUSTOM_AUTH against userpool, in one process:
//   node custom_auth.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ...,
//                         "email": ..., "answer": ...}'
// The user exists and is confirmed; the pool's custom-auth functions (tests/custom_auth_hooks.py) ask for the
// emailed code `answer`. Prints one JSON line: {"steps": {customOnly, wrongThenRight, srpThenCustom}, "exchanges"}.
import {claims, main, run} from './lib.mjs';
import identity from 'amazon-cognito-identity-js';

const {AuthenticationDetails, CognitoUser, CognitoUserPool} = identity;

/** Signs in; `answers` are given to each CUSTOM_CHALLENGE in turn. */
function signIn(user, details, answers, start) {
  const challenges = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({challenges, sub: claims(session.getIdToken().getJwtToken()).sub}),
      onFailure: reject,
      customChallenge: (parameters) => {
        challenges.push(parameters);
        user.sendCustomChallengeAnswer(answers.shift(), callbacks);
      },
    };
    start(details, callbacks);
  });
}

main(async (args) => {
  const {url, userPoolId, clientId, username, password, answer} = args;
  const pool = new CognitoUserPool({UserPoolId: userPoolId, ClientId: clientId, endpoint: url});
  const fresh = () => {
    const user = new CognitoUser({Username: username, Pool: pool});
    user.setAuthenticationFlowType('CUSTOM_AUTH');
    return user;
  };
  return run({
    // initiateAuth: CUSTOM_AUTH without a password.
    customOnly: async () => {
      const user = fresh();
      return await signIn(user, new AuthenticationDetails({Username: username}), [answer], (d, cb) => user.initiateAuth(d, cb));
    },
    wrongThenRight: async () => {
      const user = fresh();
      return await signIn(user, new AuthenticationDetails({Username: username}), ['000000x', answer], (d, cb) =>
        user.initiateAuth(d, cb),
      );
    },
    // authenticateUser with CUSTOM_AUTH: SRP_A first (CHALLENGE_NAME SRP_A), PASSWORD_VERIFIER, then the code.
    srpThenCustom: async () => {
      const user = fresh();
      const details = new AuthenticationDetails({Username: username, Password: password});
      return await signIn(user, details, [answer], (d, cb) => user.authenticateUser(d, cb));
    },
  });
});
