import { createHash, timingSafeEqual } from 'node:crypto';
import { LOCAL_TENANT } from '../common/call-context.js';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';

/**
 * Maps `Authorization: Bearer <key>` to a tenant. With no keys configured the server is single-tenant
 * (`local`) and bound to loopback (enforced by config), so every caller is that tenant.
 */
export class ApiKeyAuth {
  // Keys are compared as SHA-256 digests in constant time, so a timing probe learns nothing about them.
  private readonly digests: { digest: Buffer; tenant: string }[];

  constructor(apiKeys: ReadonlyMap<string, string>) {
    this.digests = [...apiKeys].map(([key, tenant]) => ({ digest: sha256(key), tenant }));
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  /** The tenant for an Authorization header value; throws UNAUTHENTICATED. */
  tenantFor(authorization: string | undefined): string {
    return this.callerFor(authorization).tenant;
  }

  /** The tenant and the key's fingerprint (what audit trails name) for an Authorization header value. */
  callerFor(authorization: string | undefined): KeyHolder {
    if (this.open) return { tenant: LOCAL_TENANT, actor: LOCAL_TENANT };
    if (!authorization) {
      throw new MnemeError(
        ErrorCode.UNAUTHENTICATED,
        'Missing API key: send the header "Authorization: Bearer <key>" with a key from MNEME_API_KEYS.',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) {
      throw new MnemeError(
        ErrorCode.UNAUTHENTICATED,
        'Malformed Authorization header: expected "Bearer <key>".',
      );
    }
    const digest = sha256(match[1]);
    let tenant: string | undefined;
    for (const entry of this.digests) {
      if (timingSafeEqual(entry.digest, digest)) tenant = entry.tenant;
    }
    if (!tenant) throw new MnemeError(ErrorCode.UNAUTHENTICATED, 'Invalid API key.');
    return { tenant, actor: `key:${digest.toString('hex').slice(0, ACTOR_HEX)}` };
  }
}

/** Who a request is: its tenant, and its key's fingerprint (never the key). */
export interface KeyHolder {
  tenant: string;
  actor: string;
}

// 48 bits of a key's SHA-256: tells a tenant's keys apart in an audit trail, says nothing usable about the key.
const ACTOR_HEX = 12;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
