-- CreateTable
CREATE TABLE "ModelAlias" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "modelName" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "modelId" UUID NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ModelAlias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AliasMove" (
    "id" BIGSERIAL NOT NULL,
    "aliasId" UUID NOT NULL,
    "fromVersion" INTEGER,
    "toVersion" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AliasMove_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ModelAlias_workspaceId_modelName_alias_key" ON "ModelAlias"("workspaceId", "modelName", "alias");

-- CreateIndex
CREATE INDEX "AliasMove_aliasId_id_idx" ON "AliasMove"("aliasId", "id" DESC);

-- AddForeignKey
ALTER TABLE "ModelAlias" ADD CONSTRAINT "ModelAlias_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelAlias" ADD CONSTRAINT "ModelAlias_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AliasMove" ADD CONSTRAINT "AliasMove_aliasId_fkey" FOREIGN KEY ("aliasId") REFERENCES "ModelAlias"("id") ON DELETE CASCADE ON UPDATE CASCADE;
