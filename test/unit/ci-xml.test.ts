import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { parseXml, toXml } from '../../functions/ci/xml.ts';

describe('parseXml', () => {
  it('reads a request', () => {
    assert.deepEqual(parseXml('<Request><Tag>PicProcess</Tag><Input><Object>a.jpg</Object></Input></Request>'), {
      Request: { Tag: 'PicProcess', Input: { Object: 'a.jpg' } },
    });
  });

  it('refuses as MalformedXML what the parser itself refuses, and characters XML 1.0 cannot hold', () => {
    for (const [text, message] of [
      [`<Request>${'<a>'.repeat(101)}x${'</a>'.repeat(101)}</Request>`, /^the body is not acceptable XML: /],
      ['<Request><__proto__><polluted>1</polluted></__proto__></Request>', /^the body is not acceptable XML: .*__proto__/],
      ['<Request><constructor>1</constructor></Request>', /constructor/],
      ['<Request><prototype>1</prototype></Request>', /prototype/],
      ['<Request><Rule>a\u0000b</Rule></Request>', /^the body is not well-formed XML: it holds U\+0000, which XML 1.0 does not allow$/],
      ['<Request><Rule>a\u001bb</Rule></Request>', /U\+001B/],
      ['<Request><Rule>\ufffe</Rule></Request>', /U\+FFFE/],
      ['<Request><Rule>\ud800</Rule></Request>', /U\+D800/],
      ['<Request><a></Request>', /^the body is not well-formed XML: /],
    ] as const) {
      assert.throws(
        () => parseXml(text),
        (error: Error & { kind?: string; reason?: string }) => {
          assert.equal(error.kind, 'invalid-input');
          assert.equal(error.reason, 'MalformedXML');
          assert.match(error.message, message);
          return true;
        },
        text,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('toXml', () => {
  it('always writes well-formed XML 1.0: what it cannot carry becomes U+FFFD', () => {
    const xml = toXml('Error', {
      Code: 'InvalidArgument',
      Message: 'bad \u0000 \u0008 \ud800 \uffff end',
      Ids: ['\u0000'],
      'Bad\u0001Key': 'x',
      Tab: 'a\tb\nc',
    });
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /<Message>bad \ufffd \ufffd \ufffd \ufffd end<\/Message>/);
    assert.match(xml, /<Ids>\ufffd<\/Ids>/);
    assert.match(xml, /<Tab>a\tb\nc<\/Tab>/);
  });
});
