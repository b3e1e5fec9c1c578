// Amplify v6 (aws-amplify/auth) in a pool that requires MFA (TOTP only), in one process: a confirmed user (made by
// pytest) signs in, is sent to set an authenticator up (MFA_SETUP: Amplify associates it with the challenge's
// session), answers with its first code (Amplify verifies it with the session, then answers MFA_SETUP), and is in:
//   node amplify_mfa_setup.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// prints one JSON line: {"steps": {signIn, confirmSignIn, fetchAuthSession}, "exchanges": [...]}.
import {claims, main, run, totp} from './lib.mjs';
import {Amplify} from 'aws-amplify';
import {confirmSignIn, fetchAuthSession, signIn} from 'aws-amplify/auth';

main(async (args) => {
  const {url, userPoolId, clientId, username, password} = args;
  Amplify.configure({
    Auth: {Cognito: {userPoolId, userPoolClientId: clientId, userPoolEndpoint: url}},
  });
  let sharedSecret;
  return run({
    signIn: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      sharedSecret = nextStep.totpSetupDetails?.sharedSecret;
      return {isSignedIn, signInStep: nextStep.signInStep, sharedSecret: sharedSecret ?? null};
    },
    confirmSignIn: async () => {
      const {isSignedIn, nextStep} = await confirmSignIn({challengeResponse: totp(sharedSecret)});
      return {isSignedIn, signInStep: nextStep.signInStep};
    },
    fetchAuthSession: async () => {
      const {tokens} = await fetchAuthSession();
      return {accessToken: tokens.accessToken.toString(), username: claims(tokens.accessToken.toString()).username};
    },
  });
});
