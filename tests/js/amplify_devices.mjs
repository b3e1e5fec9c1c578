// Amplify v6 remembering a device against userpool, in one process:
//   node amplify_devices.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// The user exists and is confirmed; the pool tracks devices. Steps: signIn (USER_SRP_AUTH; Amplify confirms the
// device it is handed), rememberDevice, fetchDevices, signOut (local: Amplify keeps the device), a second signIn
// (Amplify answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER), a forced refresh, forgetDevice. Prints one JSON
// line as lib.mjs says.
import {claims, main, run} from './lib.mjs';

// Amplify names the device it confirms after `navigator` (a browser's, or React Native's); Node 18 has none, Node
// 21+ has one. The one thing shimmed here, as a browser would have it.
if (!globalThis.navigator) globalThis.navigator = {userAgent: `Node.js/${process.version}`};
import {Amplify} from 'aws-amplify';
import {fetchAuthSession, fetchDevices, forgetDevice, rememberDevice, signIn, signOut} from 'aws-amplify/auth';

main(async ({url, userPoolId, clientId, username, password}) => {
  Amplify.configure({
    Auth: {Cognito: {userPoolId, userPoolClientId: clientId, userPoolEndpoint: url}},
  });
  const accessClaims = async () => claims((await fetchAuthSession()).tokens.accessToken.toString());
  return run({
    signIn: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      return {isSignedIn, signInStep: nextStep.signInStep, deviceKey: (await accessClaims()).device_key ?? null};
    },
    rememberDevice: async () => {
      await rememberDevice();
      return {};
    },
    fetchDevices: async () => (await fetchDevices()).map(({id, name}) => ({id, name: name ?? null})),
    signOut: async () => {
      await signOut();
      return {};
    },
    secondSignIn: async () => {
      const {isSignedIn, nextStep} = await signIn({username, password});
      return {isSignedIn, signInStep: nextStep.signInStep, deviceKey: (await accessClaims()).device_key ?? null};
    },
    // GetTokensFromRefreshToken with the device's key: the pool ties the refresh token to the device.
    refresh: async () => {
      const {tokens} = await fetchAuthSession({forceRefresh: true});
      return {deviceKey: claims(tokens.accessToken.toString()).device_key ?? null};
    },
    forgetDevice: async () => {
      await forgetDevice();
      return {};
    },
  });
});
