// What every scenario script shares: its input, the outbox, a record of the HTTP exchanges, one step at a time, and
// the one JSON line it prints. Import this module FIRST: it wraps globalThis.fetch before the client libraries load.
//
// The record only observes (it clones each response to read the body); requests and responses pass unchanged.
// It exists because some client calls swallow the server's answer (Amplify's signOut({global: true}) logs a failed
// GlobalSignOut at debug level and carries on), and pytest must still see what the server said.

import {createHmac, webcrypto} from 'node:crypto';

// Node 18 (Debian bookworm's nodejs) keeps WebCrypto behind a flag; Amplify's SRP needs it as the global `crypto`.
// Node's own implementation, as Node 19+ exposes it.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const realFetch = globalThis.fetch;

/** Every exchange with the server: {target, status, type, message} (type/message only for errors). */
export const exchanges = [];

globalThis.fetch = async (input, init) => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const target = headers.get('x-amz-target');
  const response = await realFetch(input, init);
  const entry = {target: target ? target.split('.').pop() : null, status: response.status};
  if (!response.ok) {
    const body = await response.clone().json().catch(() => ({}));
    entry.type = body.__type ?? response.headers.get('x-amzn-errortype');
    entry.message = body.message ?? body.Message ?? null;
  }
  exchanges.push(entry);
  return response;
};

/** The scenario's input: the JSON object in argv[2] (url, userPoolId, clientId, username, password, email). */
export function input() {
  const args = JSON.parse(process.argv[2] ?? '{}');
  for (const key of ['url', 'userPoolId', 'clientId', 'username', 'password', 'email']) {
    if (typeof args[key] !== 'string' || !args[key]) throw new TypeError(`missing input: ${key}`);
  }
  return args;
}

/** The code of the newest outbox message to `username` (GET {url}/_userpool/outbox). */
export async function latestCode({url, userPoolId, username}) {
  const query = new URLSearchParams({userPoolId, username});
  const response = await realFetch(`${url}/_userpool/outbox?${query}`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  const {messages} = await response.json();
  const withCode = messages.filter((m) => m.code);
  if (!withCode.length) throw new Error(`no code in the outbox for ${username}`);
  return withCode.at(-1).code;
}

/** The payload of a JWT, decoded without verification (pytest verifies the signatures). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** An error as pytest asserts it. */
export function errorOf(error) {
  return {error: {name: error?.name ?? String(error), message: error?.message ?? String(error)}};
}

/**
 * Runs the scenario's steps in order, each one once, and prints one JSON line:
 * {"steps": {name: result | {"error": {name, message}}}, "exchanges": [...]}.
 * A failed step does not stop the ones after it (they may fail in turn; pytest reports each one).
 */
export async function run(steps) {
  const results = {};
  for (const [name, step] of Object.entries(steps)) {
    try {
      results[name] = (await step(results)) ?? null;
    } catch (error) {
      results[name] = errorOf(error);
    }
  }
  return {steps: results, exchanges};
}

/** Prints the result (or the error that stopped the script) as one line and ends the process. */
export async function main(scenario) {
  let result;
  try {
    result = await scenario(input());
  } catch (error) {
    result = errorOf(error);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Amplify may leave timers behind (token refresh, Hub listeners): the scenario is over, so end here.
  process.exit(0);
}

/** An authenticator app's code (RFC 6238: HMAC-SHA1, 6 digits, 30 s) for the base32 `secret`, `stepsAhead` steps
 * from now: a code is accepted once per step, so a second code in one test is the next step's (one step of clock
 * skew is allowed). */
export function totp(secret, stepsAhead = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + stepsAhead));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19] & 15;
  const value = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(value % 1000000).padStart(6, '0');
}
