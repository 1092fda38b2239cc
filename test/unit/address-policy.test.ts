import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyAddress, isReachable } from '../../functions/core/address-policy.ts';

describe('classifyAddress', () => {
  it('lets only global unicast through as public', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '52.95.110.1', '2606:4700:4700::1111']) {
      assert.equal(classifyAddress(address), 'public', address);
    }
  });

  it('recognises loopback in both families', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) assert.equal(classifyAddress(address), 'loopback', address);
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

describe('isReachable', () => {
  it('allows loopback only when asked to', () => {
    assert.equal(isReachable('127.0.0.1', false), false);
    assert.equal(isReachable('127.0.0.1', true), true);
    assert.equal(isReachable('10.0.0.1', true), false);
    assert.equal(isReachable('8.8.8.8', false), true);
  });
});
