import { REQUESTS } from './requests';
import { STREAMS } from './streams';

describe('REQUESTS', () => {
  it('should keep request subjects out of every stream (core NATS request/reply, never stored)', () => {
    const roots = Object.values(STREAMS).map((s) => s.subjectRoot);
    for (const request of Object.values(REQUESTS)) {
      expect(roots).not.toContain(request.subject.split('.')[0]);
      expect(request.subject).toMatch(/^[a-z-]+(\.[a-z-]+)+$/);
    }
  });

  it('should answer each request in a queue group named after its responder', () => {
    for (const request of Object.values(REQUESTS)) expect(request.queueGroup).toBe(request.responder);
  });
});
