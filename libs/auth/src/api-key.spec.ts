import { apiKeyPrefix, isPlausibleApiKey, issueApiKey, keyMatches, sha256 } from './api-key';

describe('organisation API keys', () => {
  it('should issue rbk_ keys whose prefix is readable and whose hash matches only the key', () => {
    const issued = issueApiKey();

    expect(issued.key).toMatch(/^rbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyPrefix(issued.key)).toBe(issued.prefix);
    expect(keyMatches(issued.key, issued.sha256)).toBe(true);
    expect(keyMatches(`${issued.key}x`, issued.sha256)).toBe(false);
    expect(keyMatches(issueApiKey().key, issued.sha256)).toBe(false);
    expect(issued.sha256.equals(sha256(issued.key))).toBe(true);
    expect(new Set(Array.from({ length: 50 }, () => issueApiKey().key)).size).toBe(50);
  });

  it('should call keys issued before rbk_ legacy and refuse values that cannot be keys', () => {
    expect(apiKeyPrefix('demo-ak-hanbin-county-centre')).toBe('legacy');
    expect(isPlausibleApiKey('demo-ak-hanbin-county-centre')).toBe(true);
    expect(isPlausibleApiKey('short')).toBe(false);
    expect(isPlausibleApiKey('has a space in it 0123456789')).toBe(false);
    expect(isPlausibleApiKey('x'.repeat(257))).toBe(false);
    expect(isPlausibleApiKey(['rbk_array'])).toBe(false);
    expect(isPlausibleApiKey(undefined)).toBe(false);
  });
});
