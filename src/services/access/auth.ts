/**
 * API keys and workspaces.
 *
 * A key is `mql_` + 32 random bytes (base64url). Only its SHA-256 is stored: the secret is
 * high-entropy, so a fast hash resists guessing as well as a slow one and keeps every request
 * cheap (GitHub's and Stripe's tokens are stored the same way). Keys carry scopes. ADMIN
 * implies every scope of its workspace and manages that workspace's keys only; OPERATOR (the
 * bootstrap key) implies ADMIN and is the instance-wide role: it creates workspaces and
 * manages the keys of any workspace. Data access is always confined to the key's own
 * workspace.
 */
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Scope } from "../../generated/prisma/client.ts";
import { DomainError, InvalidInputError, NotFoundError } from "../../core/errors.ts";
import { DEFAULT_WORKSPACE } from "./workspaces.ts";

export type { Scope };
export const SCOPES: Scope[] = ["READ", "WRITE", "TRAIN", "PREDICT", "EXPORT", "ADMIN", "OPERATOR"];

/**
 * What the prefix of a key whose value was chosen (MODELQL_BOOTSTRAP_KEY) shows instead of its
 * first characters: a chosen value may be guessable from a part of it, a random one is not.
 */
export const CHOSEN_KEY_PREFIX = "(configured)";

export interface Principal {
  workspaceId: string;
  keyId: string;
  scopes: ReadonlySet<Scope>;
}

/** lastUsedAt is written at most this often per key, so serving is not one write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Verified keys are trusted from memory this long; revocation takes effect within it. */
const CACHE_MS = 5_000;

export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super("UNAUTHENTICATED", message);
  }
}

export class ForbiddenError extends DomainError {
  /** `field`: the nested field ("Model.coefficients") that needs the scope, when not a root field. */
  constructor(scope: Scope, field?: string, message?: string) {
    super("FORBIDDEN", message ?? (field ? `This API key lacks the ${scope} scope needed for ${field}.` : `This API key lacks the ${scope} scope needed here.`), field ? { scope, field } : { scope });
  }
}

export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");
const newSecret = () => `mql_${randomBytes(32).toString("base64url")}`;

export class AuthService {
  private readonly verified = new Map<string, { principal: Principal; expires: number; keyExpiresAt: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly prisma: PrismaClient) {}

  /** The principal behind an `Authorization: Bearer <key>` header. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match) throw new UnauthenticatedError("Send an API key as `Authorization: Bearer <key>`.");
    const hash = hashKey(match[1]);
    const now = Date.now();
    const cached = this.verified.get(hash);
    if (cached && cached.expires > now && cached.keyExpiresAt > now) return cached.principal;
    const key = await this.prisma.apiKey.findUnique({ where: { hash } });
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now)) {
      this.verified.delete(hash);
      throw new UnauthenticatedError("The API key is unknown, revoked or expired.");
    }
    const principal: Principal = { workspaceId: key.workspaceId, keyId: key.id, scopes: new Set(key.scopes) };
    this.verified.set(hash, { principal, expires: now + CACHE_MS, keyExpiresAt: key.expiresAt?.getTime() ?? Infinity });
    if (now - (this.lastUsedWritten.get(key.id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      this.lastUsedWritten.set(key.id, now);
      await this.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
    }
    return principal;
  }

  /** Whether the principal has the scope: OPERATOR implies ADMIN, which implies every other scope. */
  allows(principal: Principal, scope: Scope): boolean {
    return principal.scopes.has(scope) || principal.scopes.has("OPERATOR") || (scope !== "OPERATOR" && principal.scopes.has("ADMIN"));
  }

  /** Throw FORBIDDEN naming the scope (and the nested field, when given) unless the principal has it. */
  require(principal: Principal, scope: Scope, field?: string): void {
    if (!this.allows(principal, scope)) throw new ForbiddenError(scope, field);
  }

  /** Acting on another workspace than the key's own is the operator's (instance-wide) role. */
  private requireWorkspace(principal: Principal, workspaceId: string, what: string): void {
    if (workspaceId !== principal.workspaceId && !this.allows(principal, "OPERATOR")) {
      throw new ForbiddenError("OPERATOR", undefined, `${what} in another workspace than the key's own needs the OPERATOR scope; a workspace's ADMIN manages its own workspace only.`);
    }
  }

  async createWorkspace(name: string) {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new InvalidInputError("name must be 1 to 200 characters.", { field: "name" });
    if (await this.prisma.workspace.findUnique({ where: { name: trimmed } })) {
      throw new InvalidInputError(`A workspace named ${JSON.stringify(trimmed)} exists already.`, { field: "name" });
    }
    return this.prisma.workspace.create({ data: { name: trimmed } });
  }

  /** Create a key in the caller's workspace (or, for OPERATOR, any workspace); the secret is returned once. */
  async createApiKey(principal: Principal, input: { name: string; scopes: Scope[]; workspaceId?: string | null; expiresAt?: Date | null }, secret = newSecret()) {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError("name must be 1 to 200 characters.", { field: "name" });
    if (input.scopes.length === 0) throw new InvalidInputError("scopes must hold at least one scope.", { field: "scopes" });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new InvalidInputError("expiresAt must be in the future.", { field: "expiresAt" });
    const workspaceId = input.workspaceId ?? principal.workspaceId;
    this.requireWorkspace(principal, workspaceId, "Creating a key");
    // No key grants more than its creator holds: only an operator makes another.
    if (input.scopes.includes("OPERATOR")) this.require(principal, "OPERATOR");
    if (!(await this.prisma.workspace.findUnique({ where: { id: workspaceId } }).catch(() => null))) throw new NotFoundError("Workspace", workspaceId);
    const apiKey = await this.prisma.apiKey.create({
      data: { workspaceId, name, prefix: secret.slice(0, 12), hash: hashKey(secret), scopes: [...new Set(input.scopes)], expiresAt: input.expiresAt ?? null },
    });
    return { key: secret, apiKey };
  }

  /** Revoke a key of the caller's workspace (for OPERATOR, of any workspace). */
  async revokeApiKey(principal: Principal, id: string) {
    const operator = this.allows(principal, "OPERATOR");
    const key = await this.prisma.apiKey.findFirst({ where: { id, ...(operator ? {} : { workspaceId: principal.workspaceId }) } }).catch(() => null);
    if (!key) throw new NotFoundError("ApiKey", id);
    const revoked = await this.prisma.apiKey.update({ where: { id }, data: { revokedAt: key.revokedAt ?? new Date() } });
    this.verified.clear();
    return revoked;
  }

  /** The keys of the caller's workspace (for OPERATOR, of `workspaceId` when given). */
  async listApiKeys(principal: Principal, workspaceId?: string | null) {
    const workspace = workspaceId ?? principal.workspaceId;
    this.requireWorkspace(principal, workspace, "Listing keys");
    return this.prisma.apiKey.findMany({ where: { workspaceId: workspace }, orderBy: { createdAt: "desc" } }).catch(() => []);
  }

  /**
   * First start: with no key in the database, create an OPERATOR key for the default workspace,
   * from MODELQL_BOOTSTRAP_KEY when set (so scripts know it), else random. Returns the secret
   * when one was created (to print once), else null. Safe when several servers start at once:
   * the transaction's advisory lock lets one create it.
   *
   * A configured key is listed with CHOSEN_KEY_PREFIX, not its first characters. A database
   * from before OPERATOR existed (when every ADMIN was instance-wide) keeps its bootstrap key
   * working: with no OPERATOR key yet, the default workspace's first ADMIN key named
   * "bootstrap" becomes one.
   */
  async bootstrap(workspaceId: string, configured: string | undefined): Promise<string | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(72117)`;
      if ((await tx.apiKey.count()) > 0) {
        if (!(await tx.apiKey.findFirst({ where: { scopes: { has: "OPERATOR" } }, select: { id: true } }))) {
          const first = await tx.apiKey.findFirst({ where: { workspaceId, name: "bootstrap", scopes: { has: "ADMIN" } }, orderBy: { createdAt: "asc" } });
          if (first) await tx.apiKey.update({ where: { id: first.id }, data: { scopes: [...new Set([...first.scopes, "OPERATOR" as const])] } });
        }
        // A configured bootstrap key is honoured even after first start, so a fixed value keeps working.
        if (configured) {
          const existing = await tx.apiKey.findUnique({ where: { hash: hashKey(configured) } });
          if (!existing) {
            await tx.apiKey.create({ data: { workspaceId, name: "bootstrap", prefix: CHOSEN_KEY_PREFIX, hash: hashKey(configured), scopes: ["OPERATOR"] } });
          } else if (existing.prefix !== CHOSEN_KEY_PREFIX || !existing.scopes.includes("OPERATOR")) {
            // Written before OPERATOR and the hidden prefix existed: the configured key is the operator's.
            await tx.apiKey.update({ where: { id: existing.id }, data: { prefix: CHOSEN_KEY_PREFIX, scopes: [...new Set([...existing.scopes, "OPERATOR" as const])] } });
          }
        }
        return null;
      }
      const secret = configured ?? newSecret();
      await tx.apiKey.create({ data: { workspaceId, name: "bootstrap", prefix: configured ? CHOSEN_KEY_PREFIX : secret.slice(0, 12), hash: hashKey(secret), scopes: ["OPERATOR"] } });
      return configured ? null : secret;
    });
  }
}

export { DEFAULT_WORKSPACE };
