/**
 * HTTP-integration streamed responses (`application/vnd.awslambda.http-integration-response`): a JSON prelude
 * (statusCode, headers, cookies), 8 NUL bytes, then the body — what function URLs turn into an HTTP response.
 */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

export interface HttpIntegrationParts {
  prelude: unknown;
  body: Buffer;
}

/** Split prelude and body; undefined when the bytes do not start with a JSON prelude followed by 8 NULs. */
export function splitHttpIntegration(bytes: Buffer): HttpIntegrationParts | undefined {
  const at = bytes.indexOf(DELIMITER);
  if (at < 0) return undefined;
  try {
    return { prelude: JSON.parse(bytes.subarray(0, at).toString('utf8')) as unknown, body: bytes.subarray(at + DELIMITER.length) };
  } catch {
    return undefined;
  }
}

export function isHttpIntegration(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === HTTP_INTEGRATION_CONTENT_TYPE;
}
