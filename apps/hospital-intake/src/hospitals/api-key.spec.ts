import { apiKeyPrefix, issueApiKey, keyMatches, sha256 } from './api-key';

describe('hospital API keys', () => {
  it('should issue keys whose prefix is recoverable and whose hash matches only the key', () => {
    const issued = issueApiKey();

    expect(apiKeyPrefix(issued.key)).toBe(issued.prefix);
    expect(keyMatches(issued.key, issued.sha256)).toBe(true);
    expect(keyMatches(`${issued.key}x`, issued.sha256)).toBe(false);
    expect(keyMatches(issueApiKey().key, issued.sha256)).toBe(false);
    expect(issued.sha256.equals(sha256(issued.key))).toBe(true);
  });

  it('should not read a prefix out of malformed keys', () => {
    expect(apiKeyPrefix('')).toBeUndefined();
    expect(apiKeyPrefix('Bearer abc')).toBeUndefined();
    expect(apiKeyPrefix('hik_short_x')).toBeUndefined();
  });
});
