/**
 * Credential values lambdaspec knows, redacted by value wherever they turn up: the function's configured
 * environment (keys that look secret, values that look like credentials), the host's AWS credential variables and
 * the SDK credentials of a deployed run. A pattern can only guess at a secret's shape; a known value is found in
 * any context and in every encoding the reports use (see `secretVariants`).
 *
 * The registry is per harness process: what one case's function was given stays secret in every later report.
 */

export interface KnownSecret {
  value: string;
  /** What it is, shown in the redaction marker: `[REDACTED:<kind>]`. */
  kind: string;
}

/** Shorter values are not redacted by value: replacing every "y" or "test" would shred reports (patterns still apply). */
export const MIN_SECRET_LENGTH = 8;

/** Environment variable names whose value is a secret whatever it looks like. */
const SECRET_KEY =
  /secret|token|passw(?:or)?d|\bpwd|private|credential|api_?key|access_?key|auth|signature|session|cookie|\bdsn\b|connection_?string/i;

/** Values that are credentials whatever their variable is called (the shapes scrub.ts's patterns know). */
const CREDENTIAL_VALUE = [
  /^(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}$/,
  /^(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9/+])[A-Za-z0-9/+]{40}$/,
  /^(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}$/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

/** The host variables that hold AWS credentials (read at every scrub: a test or the SDK may set them late). */
const HOST_CREDENTIAL_VARS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'access-key-id',
  AWS_SECRET_ACCESS_KEY: 'secret-access-key',
  AWS_SESSION_TOKEN: 'session-token',
  AWS_SECURITY_TOKEN: 'session-token',
};

const registered = new Map<string, KnownSecret>();
let generation = 0;

/** Remember `value` as a secret (ignored when too short to redact safely). */
export function registerSecret(value: string | undefined, kind: string): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH || registered.has(value)) return;
  registered.set(value, { value, kind });
  generation++;
}

/** Whether a variable of a function's environment holds a secret: by its name, or by its value's shape. */
export function isSecretVariable(name: string, value: string): boolean {
  return SECRET_KEY.test(name) || CREDENTIAL_VALUE.some((re) => re.test(value));
}

/** Register the secret-looking variables of a function's configured environment. */
export function registerSecretsFromEnvironment(env: Readonly<Record<string, string>> | undefined): void {
  for (const [name, value] of Object.entries(env ?? {})) {
    if (isSecretVariable(name, value)) registerSecret(value, HOST_CREDENTIAL_VARS[name] ?? 'secret');
  }
}

/** Register SDK credentials (a deployed run's): access key id, secret key, session token. */
export function registerCredentials(c: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string }): void {
  registerSecret(c.accessKeyId, 'access-key-id');
  registerSecret(c.secretAccessKey, 'secret-access-key');
  registerSecret(c.sessionToken, 'session-token');
}

/** Every known secret: the registered ones and the host's AWS credential variables as they are now. */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): KnownSecret[] {
  const out = [...registered.values()];
  for (const [name, kind] of Object.entries(HOST_CREDENTIAL_VARS)) {
    const value = env[name];
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH && !registered.has(value)) out.push({ value, kind });
  }
  return out;
}

/** Changes whenever a secret is registered (lets scrub.ts cache its compiled matcher). */
export function secretsGeneration(): number {
  return generation;
}

/** Forget registered secrets (tests). */
export function forgetSecrets(): void {
  registered.clear();
  generation++;
}

export interface SecretVariant {
  text: string;
  /** The encoding it is in, shown in the marker for the encoded forms. */
  encoding?: 'json' | 'url' | 'html' | 'base64';
}

/**
 * The forms `value` takes in the files lambdaspec writes and the text runtimes produce: plain, JSON-escaped (once
 * and twice: a JSON body inside report.json; with `\/` as some serialisers write it; non-ASCII as \u escapes),
 * HTML-escaped, URL-encoded, and base64/base64url at each of the three byte alignments — the run of characters
 * that only the secret's bytes determine, so it is found inside any base64 text, at any offset.
 */
export function secretVariants(value: string): SecretVariant[] {
  const out = new Map<string, SecretVariant>();
  const add = (text: string, encoding?: SecretVariant['encoding']): void => {
    if (text.length >= MIN_SECRET_LENGTH && !out.has(text)) out.set(text, encoding ? { text, encoding } : { text });
  };
  add(value);
  const json = JSON.stringify(value).slice(1, -1);
  add(json, 'json');
  add(json.replace(/\//g, '\\/'), 'json');
  add(
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'json',
  );
  add(JSON.stringify(json).slice(1, -1), 'json');
  add(
    value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    'html',
  );
  add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'), 'html');
  add(encodeURIComponent(value), 'url');
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters i whose 6 bits lie wholly inside the secret's bits [8·offset, 8·(offset+n)).
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = b64.slice(first, last);
    add(core, 'base64');
    add(core.replace(/\+/g, '-').replace(/\//g, '_'), 'base64');
  }
  return [...out.values()];
}
