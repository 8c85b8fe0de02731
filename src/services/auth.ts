/**
 * API keys and workspaces.
 *
 * A key is `mql_` + 32 random bytes (base64url). Only its SHA-256 is stored: the secret is
 * high-entropy, so a fast hash resists guessing as well as a slow one and keeps every request
 * cheap (GitHub's and Stripe's tokens are stored the same way). Keys carry scopes; ADMIN
 * implies every other scope and may create workspaces and keys for any workspace. Data access
 * is always confined to the key's own workspace.
 */
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Scope } from "../generated/prisma/client.ts";
import { DomainError, InvalidInputError, NotFoundError } from "../core/errors.ts";
import { DEFAULT_WORKSPACE } from "./workspaces.ts";

export type { Scope };
export const SCOPES: Scope[] = ["READ", "WRITE", "TRAIN", "PREDICT", "EXPORT", "ADMIN"];

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
  constructor(scope: Scope) {
    super("FORBIDDEN", `This API key lacks the ${scope} scope needed here.`, { scope });
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

  /** Throw FORBIDDEN naming the scope unless the principal has it (ADMIN has every scope). */
  require(principal: Principal, scope: Scope): void {
    if (!principal.scopes.has(scope) && !principal.scopes.has("ADMIN")) throw new ForbiddenError(scope);
  }

  async createWorkspace(name: string) {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new InvalidInputError("name must be 1 to 200 characters.", { field: "name" });
    if (await this.prisma.workspace.findUnique({ where: { name: trimmed } })) {
      throw new InvalidInputError(`A workspace named ${JSON.stringify(trimmed)} exists already.`, { field: "name" });
    }
    return this.prisma.workspace.create({ data: { name: trimmed } });
  }

  /** Create a key in the caller's workspace (or, for ADMIN, any workspace); the secret is returned once. */
  async createApiKey(principal: Principal, input: { name: string; scopes: Scope[]; workspaceId?: string | null; expiresAt?: Date | null }, secret = newSecret()) {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError("name must be 1 to 200 characters.", { field: "name" });
    if (input.scopes.length === 0) throw new InvalidInputError("scopes must hold at least one scope.", { field: "scopes" });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new InvalidInputError("expiresAt must be in the future.", { field: "expiresAt" });
    const workspaceId = input.workspaceId ?? principal.workspaceId;
    if (!(await this.prisma.workspace.findUnique({ where: { id: workspaceId } }).catch(() => null))) throw new NotFoundError("Workspace", workspaceId);
    const apiKey = await this.prisma.apiKey.create({
      data: { workspaceId, name, prefix: secret.slice(0, 12), hash: hashKey(secret), scopes: [...new Set(input.scopes)], expiresAt: input.expiresAt ?? null },
    });
    return { key: secret, apiKey };
  }

  async revokeApiKey(principal: Principal, id: string) {
    const key = await this.prisma.apiKey.findFirst({ where: { id, workspaceId: principal.workspaceId } }).catch(() => null);
    if (!key) throw new NotFoundError("ApiKey", id);
    const revoked = await this.prisma.apiKey.update({ where: { id }, data: { revokedAt: key.revokedAt ?? new Date() } });
    this.verified.clear();
    return revoked;
  }

  async listApiKeys(principal: Principal) {
    return this.prisma.apiKey.findMany({ where: { workspaceId: principal.workspaceId }, orderBy: { createdAt: "desc" } });
  }

  /**
   * First start: with no key in the database, create an ADMIN key for the default workspace,
   * from MODELQL_BOOTSTRAP_KEY when set (so scripts know it), else random. Returns the secret
   * when one was created (to print once), else null. Safe when several servers start at once:
   * the transaction's advisory lock lets one create it.
   */
  async bootstrap(workspaceId: string, configured: string | undefined): Promise<string | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(72117)`;
      if ((await tx.apiKey.count()) > 0) {
        // A configured bootstrap key is honoured even after first start, so a fixed value keeps working.
        if (configured && !(await tx.apiKey.findUnique({ where: { hash: hashKey(configured) } }))) {
          await tx.apiKey.create({ data: { workspaceId, name: "bootstrap", prefix: configured.slice(0, 12), hash: hashKey(configured), scopes: ["ADMIN"] } });
        }
        return null;
      }
      const secret = configured ?? newSecret();
      await tx.apiKey.create({ data: { workspaceId, name: "bootstrap", prefix: secret.slice(0, 12), hash: hashKey(secret), scopes: ["ADMIN"] } });
      return configured ? null : secret;
    });
  }
}

export { DEFAULT_WORKSPACE };
