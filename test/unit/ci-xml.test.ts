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

  it('decodes the references XML defines: its five entities and character references, once, and nothing in CDATA', () => {
    assert.deepEqual(
      parseXml(
        '<Request><Rule>thumbnail/200x300&gt;</Rule><Url>https://a.example/cb?x=1&amp;y=2</Url><All>&lt;&gt;&amp;&apos;&quot;&#60;&#x3c;&#x1F600;</All><Once>&amp;lt;</Once><Raw><![CDATA[a&amp;b<c]]></Raw></Request>',
      ),
      {
        Request: {
          Rule: 'thumbnail/200x300>',
          Url: 'https://a.example/cb?x=1&y=2',
          All: '<>&\'"<<\u{1F600}',
          Once: '&lt;',
          Raw: 'a&amp;b<c',
        },
      },
    );
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
      // No entity but XML's own five exists here: DTDs are refused, so none can be declared.
      ['<Request><Rule>a&nbsp;b</Rule></Request>', /^the body is not acceptable XML: &nbsp; is not one of XML's predefined entities/],
      ['<Request><Rule>&#0;</Rule></Request>', /&#0; refers to no character XML 1\.0 allows/],
      ['<Request><Rule>&#xD800;</Rule></Request>', /&#xD800; refers to no character/],
      ['<Request><Rule>&#x110000;</Rule></Request>', /&#x110000; refers to no character/],
      ['<Request><Rule>&#99999999999999999999;</Rule></Request>', /refers to no character/],
      ['<Request><Rule>a & b</Rule></Request>', /^the body is not well-formed XML: /],
      ['<Request><Rule>&#X3C;</Rule></Request>', /^the body is not well-formed XML: /],
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
