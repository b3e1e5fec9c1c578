// Amplify v6 (aws-amplify/auth) with TOTP MFA against userpool, in one process: a confirmed user (made by pytest in a
// pool offering TOTP) signs in, sets an authenticator up and prefers it, signs out, and signs in again through the
// SOFTWARE_TOKEN_MFA challenge:
//   node amplify_mfa.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// prints one JSON line: {"steps": {signIn, setUpTOTP, verifyTOTPSetup, updateMFAPreference, fetchMFAPreference,
// signOut, signInAgain, confirmSignIn, fetchAuthSession}, "exchanges": [...]}.
import {claims, main, run, totp} from './lib.mjs';
import {Amplify} from 'aws-amplify';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchMFAPreference,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';

main(async (args) => {
  const {url, userPoolId, clientId, username, password} = args;
  Amplify.configure({
    Auth: {Cognito: {userPoolId, userPoolClientId: clientId, userPoolEndpoint: url}},
  });
  let sharedSecret;
  return run({
    signIn: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      return {isSignedIn, signInStep: nextStep.signInStep};
    },
    setUpTOTP: async () => {
      const details = await setUpTOTP();
      sharedSecret = details.sharedSecret;
      return {sharedSecret, setupUri: details.getSetupUri('userpool', username).toString()};
    },
    verifyTOTPSetup: async () => {
      await verifyTOTPSetup({code: totp(sharedSecret), options: {friendlyDeviceName: 'node'}});
      return {};
    },
    updateMFAPreference: async () => {
      await updateMFAPreference({totp: 'PREFERRED'});
      return {};
    },
    fetchMFAPreference: async () => await fetchMFAPreference(),
    signOut: async () => {
      await signOut();
      return {};
    },
    signInAgain: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      return {isSignedIn, signInStep: nextStep.signInStep};
    },
    // The code of the next step: the one verifyTOTPSetup used is spent.
    confirmSignIn: async () => {
      const {isSignedIn, nextStep} = await confirmSignIn({challengeResponse: totp(sharedSecret, 1)});
      return {isSignedIn, signInStep: nextStep.signInStep};
    },
    fetchAuthSession: async () => {
      const {tokens} = await fetchAuthSession();
      return {accessToken: tokens.accessToken.toString(), username: claims(tokens.accessToken.toString()).username};
    },
  });
});
