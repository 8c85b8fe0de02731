/**
 * Workspaces (tenants). Until API keys exist every request acts in the default workspace;
 * every row is nevertheless written with its workspace so that isolation is a matter of
 * choosing the id per request, not of migrating data.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";

export const DEFAULT_WORKSPACE = "default";

export class WorkspaceService {
  constructor(private readonly prisma: PrismaClient) {}

  /** The default workspace's id, created on first use (idempotent across processes). */
  async ensureDefault(): Promise<string> {
    const workspace = await this.prisma.workspace.upsert({
      where: { name: DEFAULT_WORKSPACE },
      create: { name: DEFAULT_WORKSPACE },
      update: {},
      select: { id: true },
    });
    return workspace.id;
  }
}
