import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyAddress } from '../../functions/core/address-policy.ts';
import { checkAddress } from '../../functions/core/outbound-url.ts';

describe('classifyAddress', () => {
  it('lets only global unicast through as public', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '52.95.110.1', '2606:4700:4700::1111']) {
      assert.equal(classifyAddress(address), 'public', address);
    }
  });

  it('recognises loopback in both families', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
      assert.equal(classifyAddress(address), 'loopback', address);
  });

  it('treats private, link-local, metadata, reserved and odd addresses as private', () => {
    for (const address of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '240.0.0.1',
      'fd00:ec2::254',
      'fe80::1',
      '::',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
      'not-an-ip',
    ]) {
      assert.equal(classifyAddress(address), 'private', address);
    }
  });
});

describe('IPv6 forms that embed an IPv4 address', () => {
  // What a URL host becomes after WHATWG parsing: [::169.254.169.254] is serialised as ::a9fe:a9fe.
  const hostOf = (literal: string) => new URL(`http://[${literal}]/`).hostname.slice(1, -1);

  it('judges IPv4-compatible, mapped, translated, NAT64, 6to4 and Teredo forms by the address inside', () => {
    for (const [literal, expected] of [
      ['::169.254.169.254', 'private'],
      ['::10.0.0.1', 'private'],
      ['::127.0.0.1', 'loopback'],
      ['::8.8.8.8', 'public'],
      ['::ffff:0:10.0.0.1', 'private'],
      ['::ffff:0:8.8.8.8', 'public'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['64:ff9b::8.8.8.8', 'public'],
      ['64:ff9b:1::a00:1', 'private'],
      ['2002:a00:1::1', 'private'],
      ['2002:808:808::1', 'public'],
      // Teredo: server 65.54.227.120, client 192.0.2.45 (TEST-NET, reserved) XOR-ed with ones.
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private'],
      ['2001:0:808:808:8000:63bf:f7f7:f7f7', 'public'],
      ['::2', 'private'],
    ] as const) {
      assert.equal(classifyAddress(hostOf(literal)), expected, literal);
    }
  });
});

describe('checkAddress', () => {
  const policy = (allowLoopback: boolean, reservedLoopbackPorts: number[] = []) => ({ allowLoopback, reservedLoopbackPorts });

  it('allows loopback only when asked to, and never to a reserved port', () => {
    assert.throws(
      () => checkAddress(policy(false), '127.0.0.1', 8080, 'source URL'),
      /source URL host 127.0.0.1 resolves to a private or reserved address/,
    );
    assert.doesNotThrow(() => checkAddress(policy(true), '127.0.0.1', 8080, 'source URL'));
    assert.throws(() => checkAddress(policy(true), '10.0.0.1', 8080, 'source URL'), /private or reserved/);
    assert.doesNotThrow(() => checkAddress(policy(false), '8.8.8.8', 443, 'source URL'));
    for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '::7f00:1']) {
      assert.throws(
        () => checkAddress(policy(true, [4566, 3000]), address, 4566, 'source URL', 'localhost'),
        /source URL localhost:4566 is a port of Tessera's own services/,
        address,
      );
      assert.doesNotThrow(() => checkAddress(policy(true, [4566, 3000]), address, 4567, 'source URL'), address);
    }
    // A reserved port of a public address is someone else's port, not Tessera's.
    assert.doesNotThrow(() => checkAddress(policy(true, [443]), '8.8.8.8', 443, 'source URL'));
  });
});
