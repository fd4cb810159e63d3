/**
 * HTTP-integration streamed responses (`application/vnd.awslambda.http-integration-response`): a JSON prelude
 * (statusCode, headers, cookies), 8 NUL bytes, then the body — what function URLs turn into an HTTP response.
 */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The 8 NUL bytes between the JSON prelude and the body. */
export const HTTP_INTEGRATION_DELIMITER = Buffer.alloc(8);

export interface HttpIntegrationParts {
  prelude: unknown;
  body: Buffer;
}

/** Split prelude and body; undefined when the bytes do not start with a JSON prelude followed by 8 NULs. */
export function splitHttpIntegration(bytes: Buffer): HttpIntegrationParts | undefined {
  const at = bytes.indexOf(HTTP_INTEGRATION_DELIMITER);
  if (at < 0) return undefined;
  try {
    return {
      prelude: JSON.parse(bytes.subarray(0, at).toString('utf8')) as unknown,
      body: bytes.subarray(at + HTTP_INTEGRATION_DELIMITER.length),
    };
  } catch {
    return undefined;
  }
}

export function isHttpIntegration(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === HTTP_INTEGRATION_CONTENT_TYPE;
}
