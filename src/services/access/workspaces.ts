/**
 * Workspaces (tenants). The default workspace holds the first (bootstrap) key's data; every
 * row is written with its workspace, and each request acts in its key's.
 */
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";

export const DEFAULT_WORKSPACE = "default";

export class WorkspaceService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The default workspace's id, created on first use. Prisma's upsert is a read then a write,
   * so two processes starting together on a fresh database can both try the INSERT: the one
   * that loses the unique constraint reads the row the other created.
   */
  async ensureDefault(): Promise<string> {
    try {
      const workspace = await this.prisma.workspace.upsert({
        where: { name: DEFAULT_WORKSPACE },
        create: { name: DEFAULT_WORKSPACE },
        update: {},
        select: { id: true },
      });
      return workspace.id;
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      const existing = await this.prisma.workspace.findUniqueOrThrow({ where: { name: DEFAULT_WORKSPACE }, select: { id: true } });
      return existing.id;
    }
  }
}
