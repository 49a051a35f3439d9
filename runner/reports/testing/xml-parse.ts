/**
 * A tiny, strict XML parser for the report tests: it throws on anything not well-formed
 * (unbalanced or misnested tags, unquoted or duplicate attributes, raw `<` or bad entities,
 * more than one root) and returns the element tree so tests can count testcases.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*$/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const DECODE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`not well-formed XML at line ${line}: ${why}`);
  };
  const decode = (raw: string): string => {
    for (let j = raw.indexOf('&'); j !== -1; j = raw.indexOf('&', j + 1)) {
      ENTITY.lastIndex = j;
      if (!ENTITY.test(raw)) fail(`bad entity or raw '&' in ${JSON.stringify(raw.slice(j, j + 12))}`);
    }
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (_, e: string) =>
      e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : DECODE[e]!,
    );
  };

  if (source.startsWith('<?xml')) {
    i = source.indexOf('?>');
    if (i === -1) fail('unterminated XML declaration');
    i += 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt === -1 ? source.length : lt);
    if (text.includes(']]>')) fail("']]>' in text");
    if (stack.length > 0) stack.at(-1)!.text += decode(text);
    else if (text.trim() !== '') fail(`text outside the root element: ${JSON.stringify(text.trim().slice(0, 20))}`);
    if (lt === -1) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i);
      if (end === -1 || stack.length === 0) fail('CDATA outside an element or unterminated');
      stack.at(-1)!.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith('</', i)) {
      const end = source.indexOf('>', i);
      if (end === -1) fail('unterminated end tag');
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      i = end + 1;
    } else {
      i += 1;
      const nameMatch = /^[^\s/>]+/.exec(source.slice(i));
      const name = nameMatch?.[0] ?? '';
      if (!NAME.test(name)) fail(`bad element name ${JSON.stringify(name)}`);
      i += name.length;
      const element: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(source.slice(i))![0];
        i += ws.length;
        if (source.startsWith('/>', i) || source.startsWith('>', i)) break;
        if (ws === '') fail(`no space before an attribute of <${name}>`);
        const attr = /^([^\s=/>]+)\s*=\s*(["'])/.exec(source.slice(i));
        if (!attr) fail(`bad attribute in <${name}>`);
        const [whole, attrName, quote] = attr!;
        if (!NAME.test(attrName!)) fail(`bad attribute name ${attrName}`);
        if (attrName! in element.attrs) fail(`duplicate attribute ${attrName} on <${name}>`);
        i += whole.length;
        const close = source.indexOf(quote!, i);
        if (close === -1) fail(`unterminated attribute ${attrName}`);
        const raw = source.slice(i, close);
        if (raw.includes('<')) fail(`raw '<' in attribute ${attrName} of <${name}>`);
        element.attrs[attrName!] = decode(raw);
        i = close + 1;
      }
      const selfClosing = source.startsWith('/>', i);
      i += selfClosing ? 2 : 1;
      if (stack.length > 0) stack.at(-1)!.children.push(element);
      else if (root) fail(`second root element <${name}>`);
      else root = element;
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)!.name}> is never closed`);
  if (!root) fail('no root element');
  return root!;
}

/** Every element named `name` in the tree, depth first. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  const own = element.name === name ? [element] : [];
  return [...own, ...element.children.flatMap((c) => findAll(c, name))];
}
