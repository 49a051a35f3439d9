import { describe, expect, it } from 'vitest';
import { findAll, parseXml } from './xml-parse.ts';

describe('parseXml (the well-formedness check the junit tests rely on)', () => {
  it('parses nested elements, attributes and entities', () => {
    const root = parseXml('<?xml version="1.0"?>\n<a x="1 &amp; 2"><b/><b y=\'&lt;\'>t &#65;</b></a>');
    expect(root.attrs.x).toBe('1 & 2');
    expect(findAll(root, 'b').map((b) => b.attrs.y)).toEqual([undefined, '<']);
    expect(findAll(root, 'b')[1]!.text).toBe('t A');
  });

  it.each([
    ['a misnested tag', '<a><b></a></b>'],
    ['an unclosed root', '<a><b/>'],
    ['a raw ampersand', '<a>fish & chips</a>'],
    ['a raw < in an attribute', '<a x="p(95)<2000"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', '<a/>trailing'],
  ])('rejects %s', (_, source) => {
    expect(() => parseXml(source)).toThrow(/not well-formed/);
  });
});
