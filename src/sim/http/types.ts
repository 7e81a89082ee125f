import type { FaultKind } from './faults.js';

/** Per-request flags the guard sets for handlers and the onSend hook. */
export interface SimRequestFlags {
  loop: boolean;
  /** page_overlap: every page after the first starts with this many of the previous page's last rows again (data moved). */
  overlap?: number;
  bodyFault?: Extract<FaultKind, 'malformed_json' | 'truncated_body'>;
}

declare module 'fastify' {
  interface FastifyRequest {
    simFlags: SimRequestFlags;
  }
}

/** Mist's error bodies (DRF style), as the spec's examples show them. */
export const MIST_ERRORS = {
  noCredentials: { detail: 'Authentication credentials were not provided.' },
  invalidToken: { detail: 'Invalid token.' },
  forbidden: { detail: 'You do not have permission to perform this action.' },
  tooMany: { detail: 'Too Many Request. The API Token used for the request reached the 5000 API Calls per hour threshold' },
} as const;
