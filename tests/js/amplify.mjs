// Amplify v6 (aws-amplify/auth) against userpool, start to finish, in one process:
//   node amplify.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// prints one JSON line: {"steps": {signUp, confirmSignUp, signIn, fetchAuthSession, refresh, getCurrentUser,
// signOut, afterSignOut}, "exchanges": [...]}; a failed step is {"error": {name, message}}.
//
// In Node, Amplify's default token storage falls back to its own InMemoryStorage (no window.localStorage), and its
// SRP and fetch use Node's global crypto and fetch: nothing is shimmed.
import {claims, latestCode, main, run} from './lib.mjs';
import {Amplify} from 'aws-amplify';
import {
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';

/** The raw tokens of a session and the claims pytest compares. */
function tokensOf(session) {
  const {accessToken, idToken} = session.tokens ?? {};
  if (!accessToken) throw new Error('fetchAuthSession returned no tokens');
  const access = accessToken.toString();
  const id = idToken?.toString() ?? null;
  return {
    userSub: session.userSub ?? null,
    accessToken: access,
    idToken: id,
    access: pick(claims(access)),
    id: id ? pick(claims(id)) : null,
  };
}

function pick({sub, iat, jti, token_use, client_id, aud, iss}) {
  return {sub, iat, jti, token_use, client_id, aud, iss};
}

main(async (args) => {
  const {url, userPoolId, clientId, username, password, email} = args;
  Amplify.configure({
    Auth: {Cognito: {userPoolId, userPoolClientId: clientId, userPoolEndpoint: url}},
  });
  return run({
    signUp: async () => {
      const {isSignUpComplete, userId, nextStep} = await signUp({
        username,
        password,
        options: {userAttributes: {email}},
      });
      return {isSignUpComplete, userId, signUpStep: nextStep.signUpStep, codeDeliveryDetails: nextStep.codeDeliveryDetails};
    },
    confirmSignUp: async () => {
      const confirmationCode = await latestCode(args);
      const {isSignUpComplete, nextStep} = await confirmSignUp({username, confirmationCode});
      return {isSignUpComplete, signUpStep: nextStep.signUpStep};
    },
    // No authFlowType: Amplify's default, USER_SRP_AUTH.
    signIn: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      return {isSignedIn, signInStep: nextStep.signInStep};
    },
    fetchAuthSession: async () => tokensOf(await fetchAuthSession()),
    // Amplify v6 refreshes only through GetTokensFromRefreshToken (refreshAuthTokens.ts).
    refresh: async () => tokensOf(await fetchAuthSession({forceRefresh: true})),
    getCurrentUser: async () => {
      const {username: name, userId, signInDetails} = await getCurrentUser();
      return {username: name, userId, authFlowType: signInDetails?.authFlowType ?? null};
    },
    signOut: async () => {
      await signOut({global: true});
      return {};
    },
    // Amplify must have forgotten the session: getCurrentUser now refuses.
    afterSignOut: async () => {
      const {username: name} = await getCurrentUser();
      return {username: name};
    },
  });
});
