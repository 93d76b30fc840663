// The made-up names and credentials of tests/servers/azurerm: none is a real secret.
export const ACCOUNT = 'tfstatetest';
// Not a secret: the key of the emulator's made-up account.
export const ACCOUNT_KEY = Buffer.from('stage-action azurite test key - not a secret - 0123456789abcdef').toString('base64');
export const CONTAINER = 'tfstate';
export const KEY = 'stages/app/terraform.tfstate';
export const TENANT = '72f988bf-0000-4000-8000-00000000d1ce';
export const CLIENT_ID = '3b7c9e2a-0000-4000-8000-0000000c11e7';
export const CLIENT_SECRET = 'entra-client-secret-7f3e'; // what the Entra stand-in accepts
export const REQUEST_TOKEN = 'runner-request-token-4b1d'; // ACTIONS_ID_TOKEN_REQUEST_TOKEN
export const OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const SUBJECT = 'repo:acme/app:environment:prod';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** A JWT with these claims. Its signature is made up: nothing here checks one (Azurite's `--oauth basic` does not). */
export const jwt = (claims) => `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64url(claims)}.${b64url('not-a-signature')}`;
export const claimsOf = (token) => JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString());

