import { describe, expect, it } from 'vitest';
import { isHttpIntegration, splitHttpIntegration } from './http-integration.ts';

describe('HTTP-integration responses', () => {
  it('splits the JSON prelude from the body at the 8 NUL bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"statusCode":200,"headers":{},"cookies":[]}'),
      Buffer.alloc(8),
      Buffer.from('body\u0000with nul'),
    ]);
    const parts = splitHttpIntegration(bytes)!;
    expect(parts.prelude).toEqual({ statusCode: 200, headers: {}, cookies: [] });
    expect(parts.body.toString()).toBe('body\u0000with nul');
    expect(splitHttpIntegration(Buffer.concat([Buffer.from('{"statusCode":200}'), Buffer.alloc(8)]))!.body.length).toBe(0);
  });

  it('leaves bytes without a prelude alone', () => {
    expect(splitHttpIntegration(Buffer.from('plain'))).toBeUndefined();
    expect(splitHttpIntegration(Buffer.concat([Buffer.from('not json'), Buffer.alloc(8)]))).toBeUndefined();
  });

  it('recognises the content type with parameters and any case', () => {
    expect(isHttpIntegration('application/vnd.awslambda.http-integration-response')).toBe(true);
    expect(isHttpIntegration('Application/Vnd.AwsLambda.Http-Integration-Response; charset=utf-8')).toBe(true);
    expect(isHttpIntegration('application/json')).toBe(false);
    expect(isHttpIntegration(undefined)).toBe(false);
  });
});
