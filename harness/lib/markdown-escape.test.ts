import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText } from './markdown-escape.ts';

describe('Markdown escaping', () => {
  it('code spans outgrow the backtick runs inside, pad edge backticks, and stay on one line', () => {
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdCode('a ``` b')).toBe('````a ``` b````');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('one\ntwo\r\nthree\rfour')).toBe('`one two three\\u000dfour`');
    expect(mdCode('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(mdCode('')).toBe('` `');
  });

  it('fences outgrow any backtick run in the block', () => {
    expect(mdFence('x', 'http')).toBe('```http\nx\n```');
    expect(mdFence('a\n````\nb')).toBe('`````\na\n````\nb\n`````');
  });

  it('prose keeps no HTML, emphasis, link, image, autolink or list marker', () => {
    expect(mdText('<img src=x> & "q"')).toBe('&lt;img src=x&gt; &amp; &quot;q&quot;');
    expect(mdText('**b** _e_ ~~s~~ `c` [l](u) ![i](u) # h | t')).toBe(
      '\\*\\*b\\*\\* \\_e\\_ \\~\\~s\\~\\~ \\`c\\` \\[l\\]\\(u\\) \\!\\[i\\]\\(u\\) \\# h \\| t',
    );
    expect(mdText('see https://x.example www.x.example a@b.example')).toBe('see https\\://x.example www\\.x.example a\\@b.example');
    expect(mdText('- item')).toBe('\\- item');
    expect(mdText('3. third')).toBe('3\\. third');
    expect(mdText('title of next.y')).toBe('title of next.y');
  });
});
