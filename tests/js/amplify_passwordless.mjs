// Amplify v6 (aws-amplify/auth) passwordless against userpool, in one process: a user signs up without a password
// (in a pool allowing EMAIL_OTP first), confirms with the emailed code and is signed in by autoSignIn (USER_AUTH with
// ConfirmSignUp's Session); then signs in with an emailed code (preferredChallenge EMAIL_OTP), and once more choosing
// the factor (SELECT_CHALLENGE):
//   node amplify_passwordless.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// prints one JSON line: {"steps": {signUp, confirmSignUp, autoSignIn, signOut, signInWithCode, confirmSignIn,
// signOutAgain, signInChoosing, chooseEmailCode, confirmChosen, fetchAuthSession}, "exchanges": [...]}.
import {claims, latestCode, main, run} from './lib.mjs';
import {Amplify} from 'aws-amplify';
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';

function stepOf({isSignedIn, nextStep}) {
  const step = {isSignedIn, signInStep: nextStep.signInStep};
  if (nextStep.availableChallenges) step.availableChallenges = nextStep.availableChallenges;
  if (nextStep.codeDeliveryDetails) step.deliveryMedium = nextStep.codeDeliveryDetails.deliveryMedium;
  return step;
}

main(async (args) => {
  const {url, userPoolId, clientId, username, email} = args;
  Amplify.configure({
    Auth: {Cognito: {userPoolId, userPoolClientId: clientId, userPoolEndpoint: url}},
  });
  return run({
    signUp: async () => {
      const {isSignUpComplete, nextStep} = await signUp({
        username,
        options: {userAttributes: {email}, autoSignIn: {authFlowType: 'USER_AUTH'}},
      });
      return {isSignUpComplete, signUpStep: nextStep.signUpStep};
    },
    confirmSignUp: async () => {
      const confirmationCode = await latestCode(args);
      const {isSignUpComplete, nextStep} = await confirmSignUp({username, confirmationCode});
      return {isSignUpComplete, signUpStep: nextStep.signUpStep};
    },
    autoSignIn: async () => stepOf(await autoSignIn()),
    signOut: async () => {
      await signOut();
      return {};
    },
    signInWithCode: async () =>
      stepOf(await signIn({username, options: {authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP'}})),
    confirmSignIn: async () => stepOf(await confirmSignIn({challengeResponse: await latestCode(args)})),
    signOutAgain: async () => {
      await signOut();
      return {};
    },
    signInChoosing: async () => stepOf(await signIn({username, options: {authFlowType: 'USER_AUTH'}})),
    chooseEmailCode: async () => stepOf(await confirmSignIn({challengeResponse: 'EMAIL_OTP'})),
    confirmChosen: async () => stepOf(await confirmSignIn({challengeResponse: await latestCode(args)})),
    fetchAuthSession: async () => {
      const {tokens} = await fetchAuthSession();
      return {accessToken: tokens.accessToken.toString(), username: claims(tokens.accessToken.toString()).username};
    },
  });
});
