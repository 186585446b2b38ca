import type { CallContext } from './call-context.js';
import { ErrorCode } from './error-codes.js';
import { MnemeError } from './mneme-error.js';

/**
 * Refuses a caller whose tenant is not a model admin (MNEME_MODEL_ADMIN_TENANTS): loading models and
 * re-embedding memory act for every tenant at once. `action` completes "Tenant x may not …".
 */
export function assertModelAdmin(
  adminTenants: readonly string[],
  { tenant }: CallContext,
  action: string,
): void {
  if (adminTenants.includes('*') || adminTenants.includes(tenant)) return;
  throw new MnemeError(
    ErrorCode.FORBIDDEN,
    `Tenant ${tenant} may not ${action}: that acts for every tenant. ` +
      'An operator can name model admins in MNEME_MODEL_ADMIN_TENANTS.',
  );
}
