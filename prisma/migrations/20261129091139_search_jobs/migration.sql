-- CreateTable
CREATE TABLE "Search" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'QUEUED',
    "request" JSONB NOT NULL,
    "result" JSONB,
    "error" TEXT,
    "modelId" UUID,
    "jobId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "progress" JSONB,
    "heartbeatAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Search_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Search_workspaceId_createdAt_idx" ON "Search"("workspaceId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Search_status_heartbeatAt_idx" ON "Search"("status", "heartbeatAt");

-- AddForeignKey
ALTER TABLE "Search" ADD CONSTRAINT "Search_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
