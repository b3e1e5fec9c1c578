// amazon-cognito-identity-js remembering a device against userpool, in one process:
//   node identity_js_devices.mjs '{"url": ..., "userPoolId": ..., "clientId": ..., "username": ..., "password": ..., "email": ...}'
// The user exists and is confirmed; the pool tracks devices. Steps: a first authenticateUser (USER_SRP_AUTH; the
// library confirms the device it is handed with a verifier it makes), setDeviceStatusRemembered, getDevice,
// listDevices, a second authenticateUser by a new CognitoUser (the library finds the device in its storage and
// answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER), refreshSession, forgetDevice. Prints one JSON line as lib.mjs says.
import {claims, main, run} from './lib.mjs';
import identity from 'amazon-cognito-identity-js';

const {AuthenticationDetails, CognitoUser, CognitoUserPool} = identity;

function callbacks(fn) {
  return new Promise((resolve, reject) => fn({onSuccess: resolve, onFailure: reject}));
}

function signIn(user, username, password) {
  const details = new AuthenticationDetails({Username: username, Password: password});
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, {
      onSuccess: (session, userConfirmationNecessary) => resolve({session, userConfirmationNecessary}),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected challenge: NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('unexpected challenge: SMS_MFA')),
      totpRequired: () => reject(new Error('unexpected challenge: SOFTWARE_TOKEN_MFA')),
    }),
  );
}

main(async ({url, userPoolId, clientId, username, password}) => {
  const pool = new CognitoUserPool({UserPoolId: userPoolId, ClientId: clientId, endpoint: url});
  const first = new CognitoUser({Username: username, Pool: pool});
  const second = new CognitoUser({Username: username, Pool: pool});
  return run({
    firstSignIn: async () => {
      const {session, userConfirmationNecessary} = await signIn(first, username, password);
      const access = claims(session.getAccessToken().getJwtToken());
      return {deviceKey: first.deviceKey, tokenDeviceKey: access.device_key, userConfirmationNecessary: !!userConfirmationNecessary};
    },
    setDeviceStatusRemembered: async () => await callbacks((cb) => first.setDeviceStatusRemembered(cb)),
    getDevice: async () => (await callbacks((cb) => first.getDevice(cb))).Device,
    listDevices: async () =>
      (await callbacks((cb) => first.listDevices(10, null, cb))).Devices.map((d) => d.DeviceKey),
    secondSignIn: async () => {
      const {session} = await signIn(second, username, password);
      const access = claims(session.getAccessToken().getJwtToken());
      return {deviceKey: second.deviceKey, tokenDeviceKey: access.device_key, accessToken: session.getAccessToken().getJwtToken()};
    },
    // InitiateAuth REFRESH_TOKEN_AUTH with the cached DEVICE_KEY: the pool ties the refresh token to the device.
    refreshSession: async () => {
      const session = await new Promise((resolve, reject) =>
        second.refreshSession(second.getSignInUserSession().getRefreshToken(), (e, s) => (e ? reject(e) : resolve(s))),
      );
      return {deviceKey: claims(session.getAccessToken().getJwtToken()).device_key ?? null};
    },
    forgetDevice: async () => await callbacks((cb) => second.forgetDevice(cb)),
  });
});
